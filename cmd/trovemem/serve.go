package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/serve"
)

// serveOptions are serve's own flags.
type serveOptions struct {
	addr, accessKey, secretKey, region string
	repl, verbose                      bool
	drain                              time.Duration
}

func newServeCmd(a *app) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the store as an S3 endpoint, for apps in any language",
		Long: `serve puts the store (its --config, --mount, --route and --load included)
behind an S3 endpoint, so an app under test can use it with its usual SDK.
It binds to loopback by default; binding elsewhere needs --access-key and
--secret-key (or TROVEMEM_ACCESS_KEY and TROVEMEM_SECRET_KEY). With keys,
every request's AWS Signature V4 is checked; without, any credentials are
accepted. --repl gives the REPL on the same live store while it serves
(leaving the REPL stops serving). Ctrl-C or SIGTERM drains the requests in
flight, writes --save, and exits 0; a second one stops at once and exits 130.
-v logs one line per request on stderr.`,
		Example: `  trovemem serve
  trovemem --mount logs=mem:// --route 'logs/**=logs' serve --repl
  trovemem --config trovemem.yaml --save state.trove serve --addr 127.0.0.1:9100 -v
  AWS_ENDPOINT_URL=http://127.0.0.1:9000 aws s3 ls`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.serve(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:9000", "listen on `HOST:PORT`")
	f.StringVar(&o.accessKey, "access-key", "", "the only access `KEY` accepted (with --secret-key)")
	f.StringVar(&o.secretKey, "secret-key", "", "its secret `KEY`")
	f.StringVar(&o.region, "region", "us-east-1", "the `REGION` clients sign for")
	f.BoolVar(&o.repl, "repl", false, "run the REPL on the live store while serving")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "log each request on stderr")
	f.DurationVar(&o.drain, "drain-timeout", 30*time.Second, "how long a stop waits for requests in flight")
	return cmd
}

// isLoopback says whether host (of HOST:PORT) names only this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (a *app) serve(ctx context.Context, o serveOptions) error {
	if (o.accessKey == "") != (o.secretKey == "") {
		return asUsage(errors.New("serve: --access-key and --secret-key go together"))
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return asUsage(fmt.Errorf("serve: --addr %q: %v", o.addr, err))
	}
	if !isLoopback(host) && o.accessKey == "" {
		return asUsage(fmt.Errorf("serve: refusing to serve on %s without --access-key and --secret-key: anyone who can reach it could read and change the store", o.addr))
	}
	// Signals are caught from the start, so an interrupt during --load
	// still ends in a clean exit. With --repl, Ctrl-C belongs to the REPL
	// (it abandons the line) and only SIGTERM stops serving.
	sig := make(chan os.Signal, 2)
	if o.repl {
		signal.Notify(sig, syscall.SIGTERM)
	} else {
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	}
	defer signal.Stop(sig)

	if err := a.setup(ctx); err != nil {
		return a.finish(ctx, err)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return a.finish(ctx, fmt.Errorf("serve: %w", err))
	}
	// The request log, the REPL and serve's own notes write from several
	// goroutines; one lock keeps their lines whole, and keeps a buffered
	// stdout from being written and flushed at once.
	var mu sync.Mutex
	stdout, stderr := &lockedWriter{mu: &mu, w: a.stdout}, &lockedWriter{mu: &mu, w: a.stderr}
	opts := serve.Options{AccessKey: o.accessKey, SecretKey: o.secretKey, Region: o.region}
	if o.verbose {
		opts.OnRequest = requestLogger(stderr)
	}
	hs := serve.New(a.Store, opts).HTTPServer("")
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	var names []string
	for _, b := range a.Store.Backends() {
		names = append(names, b.Name)
	}
	fmt.Fprintf(stderr, "serving on http://%s (backends: %s)\n", ln.Addr(), strings.Join(names, ", "))
	if o.accessKey == "" {
		fmt.Fprintln(stderr, "no --access-key/--secret-key: any credentials are accepted")
	}

	replDone := make(chan error, 1)
	if o.repl {
		go func() { replDone <- a.replOnStore(ctx, stdout, stderr) }()
	}
	var runErr error
	select {
	case s := <-sig:
		fmt.Fprintf(stderr, "%s: draining requests in flight (again to stop at once)\n", s)
	case runErr = <-replDone:
	case err := <-served:
		return a.finish(ctx, fmt.Errorf("serve: %w", err))
	}
	if a.drain(hs, o.drain, sig, stderr) {
		runErr = errInterrupted
	}
	return a.finish(ctx, runErr)
}

// drain shuts hs down, waiting up to timeout for requests in flight; a
// signal meanwhile closes every connection at once, and drain reports it.
func (a *app) drain(hs *http.Server, timeout time.Duration, sig <-chan os.Signal, stderr io.Writer) (interrupted bool) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- hs.Shutdown(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintf(stderr, "serve: %v; closing the connections left\n", err)
			_ = hs.Close()
		}
		return false
	case <-sig:
		_ = hs.Close()
		<-done
		return true
	}
}

// replOnStore runs the REPL on the live store: the interactive one on a
// terminal, else the commands read from stdin, written to stdout and stderr.
func (a *app) replOnStore(ctx context.Context, stdout, stderr io.Writer) error {
	if isTerminal(a.stdin) {
		return a.runREPL(ctx)
	}
	return a.Session.Loop(ctx, repl.NewReaderSource(a.stdin), repl.StdinName, stdout, stderr)
}

// lockedWriter serialises writes to w under mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// requestLogger writes one line per request:
// "PutObject PUT /b/k 200 0B 1.2ms backend=logs".
func requestLogger(w io.Writer) func(serve.RequestLog) {
	return func(l serve.RequestLog) {
		op := l.Op
		if op == "" {
			op = "-"
		}
		line := fmt.Sprintf("%s %s %s %d %dB %s", op, l.Method, l.Path, l.Status, l.Bytes, l.Duration.Round(10*time.Microsecond))
		if l.Backend != "" {
			line += " backend=" + l.Backend
		}
		if l.Err != "" {
			line += " error=" + l.Err
		}
		fmt.Fprintln(w, line)
	}
}
