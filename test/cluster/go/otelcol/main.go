// Command otelcol is an OpenTelemetry Collector for the baseline's telemetry (docs/architecture.md,
// "Whole traces"), built from the Go module proxy with only the components it uses, the way the
// OpenTelemetry Collector Builder (ocb) generates a distribution: a factories list and otelcol's
// command. Every collector module is at one release (go.mod).
//
//   - receiver otlp: the baseline workloads' OTLP exports (traces now; metrics and logs are in the
//     build, so a metrics pipeline is only configuration)
//   - processor tail_sampling (span-ingest strategy): keeps each whole trace that carries a slice's
//     routing key; resource: marks the spans as the baseline's; batch; memory_limiter
//   - exporter otlphttp: each slice's traces to that slice's agent; nop: the pipeline that keeps the
//     receiver up while no slice is routed; debug: for a person debugging
//
// One addition to a generated main: the configuration file is watched (watchedFileProvider below).
// When its content changes (the controller rewrote the ConfigMap and the kubelet swapped the mounted
// file) the collector reloads it in place, as it does when a confmap provider reports a change,
// instead of being restarted.
package main

import (
	"context"
	"crypto/sha256"
	"log"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/debugexporter"
	"go.opentelemetry.io/collector/exporter/nopexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/batchprocessor"
	"go.opentelemetry.io/collector/processor/memorylimiterprocessor"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/resourceprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/tailsamplingprocessor"
)

const version = "0.161.0"

func components() (otelcol.Factories, error) {
	var err error
	f := otelcol.Factories{}
	if f.Receivers, err = otelcol.MakeFactoryMap[receiver.Factory](otlpreceiver.NewFactory()); err != nil {
		return f, err
	}
	if f.Processors, err = otelcol.MakeFactoryMap[processor.Factory](
		batchprocessor.NewFactory(), memorylimiterprocessor.NewFactory(),
		resourceprocessor.NewFactory(), tailsamplingprocessor.NewFactory()); err != nil {
		return f, err
	}
	if f.Exporters, err = otelcol.MakeFactoryMap[exporter.Factory](otlphttpexporter.NewFactory(), debugexporter.NewFactory(), nopexporter.NewFactory()); err != nil {
		return f, err
	}
	if f.Extensions, err = otelcol.MakeFactoryMap[extension.Factory](); err != nil {
		return f, err
	}
	if f.Connectors, err = otelcol.MakeFactoryMap[connector.Factory](); err != nil {
		return f, err
	}
	f.Telemetry = otelconftelemetry.NewFactory() // the collector's own logs (service.telemetry)
	return f, nil
}

// watchedFileProvider is the file provider ("file:" URIs) that also reports a change of the file's
// content, checked every second, to the collector, which then reloads its configuration.
type watchedFileProvider struct {
	confmap.Provider
	mu      sync.Mutex
	cancels []context.CancelFunc
}

func newWatchedFileProviderFactory() confmap.ProviderFactory {
	return confmap.NewProviderFactory(func(s confmap.ProviderSettings) confmap.Provider {
		return &watchedFileProvider{Provider: fileprovider.NewFactory().Create(s)}
	})
}

func (p *watchedFileProvider) Retrieve(ctx context.Context, uri string, watcher confmap.WatcherFunc) (*confmap.Retrieved, error) {
	r, err := p.Provider.Retrieve(ctx, uri, nil)
	if err != nil || watcher == nil {
		return r, err
	}
	path := strings.TrimPrefix(uri, "file:")
	seen := digest(path)
	wctx, cancel := context.WithCancel(context.Background())
	p.mu.Lock()
	p.cancels = append(p.cancels, cancel)
	p.mu.Unlock()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-t.C:
				if d := digest(path); d != "" && d != seen {
					log.Printf("otelcol: %s changed; reloading the configuration", path)
					watcher(&confmap.ChangeEvent{})
					return
				}
			}
		}
	}()
	return r, nil
}

// Shutdown stops the watches; the collector calls it before it retrieves the configuration again.
func (p *watchedFileProvider) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	for _, c := range p.cancels {
		c()
	}
	p.cancels = nil
	p.mu.Unlock()
	return p.Provider.Shutdown(ctx)
}

func digest(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return string(h[:])
}

func main() {
	info := component.BuildInfo{Command: "otelcol", Description: "Slice's OpenTelemetry Collector for the baseline's telemetry", Version: version}
	settings := otelcol.CollectorSettings{
		BuildInfo: info,
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				ProviderFactories: []confmap.ProviderFactory{newWatchedFileProviderFactory(), envprovider.NewFactory()},
				DefaultScheme:     "env",
			},
		},
	}
	if err := otelcol.NewCommand(settings).Execute(); err != nil {
		log.Fatalf("collector server run finished with error: %v", err)
	}
}
