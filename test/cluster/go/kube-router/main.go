// Command kube-router is kube-router with only its NetworkPolicy firewall, the one part of it the local
// cluster runs (up.sh: --run-firewall=true --run-router=false --run-service-proxy=false). Upstream's
// main also links the BGP router (gobgp), the IPVS service proxy and the load balancer allocator, whose
// dependencies were 40% of the build (961 packages; 581 here). Flags, start-up and shut-down are
// upstream's (cmd/kube-router/kube-router.go and pkg/cmd/kube-router.go of v2.1.0, Apache-2.0), cut to
// the firewall; the firewall itself is upstream's package, unchanged.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/cloudnativelabs/kube-router/v2/pkg/controllers/netpol"
	"github.com/cloudnativelabs/kube-router/v2/pkg/healthcheck"
	"github.com/cloudnativelabs/kube-router/v2/pkg/options"
	"github.com/cloudnativelabs/kube-router/v2/pkg/version"
	"github.com/spf13/pflag"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s\n", err)
		os.Exit(1)
	}
}

func run() error {
	klog.InitFlags(nil)
	config := options.NewKubeRouterConfig()
	config.AddFlags(pflag.CommandLine)
	pflag.Parse()
	// https://github.com/kubernetes/kubernetes/issues/17162
	if err := flag.CommandLine.Parse([]string{}); err != nil {
		return fmt.Errorf("failed to parse flags: %s", err)
	}
	if err := flag.Set("logtostderr", "true"); err != nil {
		return fmt.Errorf("failed to set flag: %s", err)
	}
	if err := flag.Set("v", config.VLevel); err != nil {
		return fmt.Errorf("failed to set flag: %s", err)
	}
	if config.HelpRequested {
		pflag.Usage()
		return nil
	}
	if config.Version {
		version.PrintVersion(false)
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("kube-router needs to be run with privileges to execute iptables and ipset")
	}
	if config.CleanupConfig {
		npc := netpol.NetworkPolicyController{}
		npc.Cleanup()
		return nil
	}
	if !config.RunFirewall || config.RunRouter || config.RunServiceProxy || config.RunLoadBalancer {
		return fmt.Errorf("this kube-router is built with the firewall only: run it with --run-firewall=true --run-router=false --run-service-proxy=false")
	}

	version.PrintVersion(true)
	version.PrintVersionMessages(true)
	var clientconfig *rest.Config
	var err error
	if len(config.Master) != 0 || len(config.Kubeconfig) != 0 {
		clientconfig, err = clientcmd.BuildConfigFromFlags(config.Master, config.Kubeconfig)
		if err != nil {
			return fmt.Errorf("failed to build configuration from CLI: %v", err)
		}
	} else {
		clientconfig, err = rest.InClusterConfig()
		if err != nil {
			return fmt.Errorf("unable to initialize inclusterconfig: %v", err)
		}
	}
	client, err := kubernetes.NewForConfig(clientconfig)
	if err != nil {
		return fmt.Errorf("failed to create Kubernetes client: %v", err)
	}
	return runFirewall(client, config)
}

// runFirewall is upstream's KubeRouter.Run with the firewall, the health controller and the metrics
// port check only.
func runFirewall(client kubernetes.Interface, config *options.KubeRouterConfig) error {
	var ipsetMutex sync.Mutex
	var wg sync.WaitGroup

	healthChan := make(chan *healthcheck.ControllerHeartbeat, 10)
	defer close(healthChan)
	stopCh := make(chan struct{})

	hc, err := healthcheck.NewHealthController(config)
	if err != nil {
		return fmt.Errorf("failed to create health controller: %v", err)
	}
	wg.Add(1)
	go hc.RunServer(stopCh, &wg)

	informerFactory := informers.NewSharedInformerFactory(client, 0)
	podInformer := informerFactory.Core().V1().Pods().Informer()
	nsInformer := informerFactory.Core().V1().Namespaces().Informer()
	npInformer := informerFactory.Networking().V1().NetworkPolicies().Informer()
	informerFactory.Start(stopCh)
	if err := cacheSyncOrTimeout(informerFactory, stopCh, config.CacheSyncTimeout); err != nil {
		return fmt.Errorf("failed to synchronize cache: %v", err)
	}

	hc.SetAlive()
	wg.Add(1)
	go hc.RunCheck(healthChan, stopCh, &wg)

	if config.MetricsPort > 0 && config.MetricsPort < 65535 {
		return fmt.Errorf("this kube-router is built without metrics: run it with --metrics-port=0")
	}
	config.MetricsEnabled = false

	iptablesCmdHandlers, ipSetHandlers, err := netpol.NewIPTablesHandlers(config)
	if err != nil {
		return fmt.Errorf("failed to create iptables handlers: %v", err)
	}
	npc, err := netpol.NewNetworkPolicyController(client, config, podInformer, npInformer, nsInformer,
		&ipsetMutex, iptablesCmdHandlers, ipSetHandlers)
	if err != nil {
		return fmt.Errorf("failed to create network policy controller: %v", err)
	}
	if _, err = podInformer.AddEventHandler(npc.PodEventHandler); err != nil {
		return fmt.Errorf("failed to add PodEventHandler: %v", err)
	}
	if _, err = nsInformer.AddEventHandler(npc.NamespaceEventHandler); err != nil {
		return fmt.Errorf("failed to add NamespaceEventHandler: %v", err)
	}
	if _, err = npInformer.AddEventHandler(npc.NetworkPolicyEventHandler); err != nil {
		return fmt.Errorf("failed to add NetworkPolicyEventHandler: %v", err)
	}
	wg.Add(1)
	go npc.Run(healthChan, stopCh, &wg)

	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	<-ch
	klog.Infof("Shutting down the controllers")
	close(stopCh)
	wg.Wait()
	return nil
}

func cacheSyncOrTimeout(factory informers.SharedInformerFactory, stopCh <-chan struct{}, timeout time.Duration) error {
	synced := make(chan struct{})
	go func() {
		factory.WaitForCacheSync(stopCh)
		close(synced)
	}()
	select {
	case <-time.After(timeout):
		return fmt.Errorf("%s timeout", timeout.String())
	case <-synced:
		return nil
	}
}
