// Command coredns is CoreDNS with only the plugins that the local cluster's Corefile uses
// (manifests/10-coredns.yaml): errors, health, ready, kubernetes, prometheus, cache, reload,
// loadbalance and template. Upstream's main links every plugin, and the cloud DNS plugins (route53,
// azure, clouddns) bring SDKs that were most of the build's time. The plugins' order is upstream's
// (core/dnsserver/zdirectives.go), unchanged.
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/template"
)

func main() {
	coremain.Run()
}
