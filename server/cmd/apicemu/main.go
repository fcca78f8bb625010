// Command apicemu runs the emulator: a local, stateful stand-in for the ROMA Connect APIC and
// legacy APIG API-management services.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/apiclab/apic/internal/cmdline"
	"github.com/apiclab/apic/server"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

const usage = `usage: apicemu [flags]

Runs the emulator of the ROMA Connect APIC and legacy APIG API-management APIs.

Flags (each can also be set with the environment variable in brackets):
`

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// run starts the emulator and serves until SIGINT or SIGTERM. Exit codes: 0 after a clean
// shutdown, 2 on bad flags or when it cannot start or keep serving (the emulator has no
// findings to report with 1).
func run(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return serve(args, stdout, stderr, nil)
}

// The garbage collector's defaults suit programs with a large live heap. The emulator's is a
// few megabytes, so at GOGC=100 it collects after every few hundred requests; at 400 it
// collects a fifth as often. The soft memory limit keeps the peak near the live heap when
// that is large (many 1 MiB bodies at once), below what GOGC=100 would reach. GOGC and
// GOMEMLIMIT, when set, decide instead.
const (
	gcPercent   = 400
	memoryLimit = 384 << 20
)

func tuneGC() {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(gcPercent)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(memoryLimit)
	}
}

func serve(args []string, stdout, stderr io.Writer, started func(addr string)) int {
	fs := flag.NewFlagSet("apicemu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env("APICEMU_ADDR", "127.0.0.1:8080"), "listen address [APICEMU_ADDR]")
	dsn := fs.String("store", env("APICEMU_STORE", "data/apicemu.db"),
		"where APIs are kept: a SQLite file path, \":memory:\", or a postgres:// URL [APICEMU_STORE]")
	fx := fs.String("fixtures", env("APICEMU_FIXTURES", ""),
		"fixtures file (YAML: projects, instances, groups, authorizers, functions, VPC channels, apps, credentials); empty for the built-in ones [APICEMU_FIXTURES]")
	level := fs.String("log-level", env("APICEMU_LOG_LEVEL", "info"), "debug, info, warn or error; info logs every request [APICEMU_LOG_LEVEL]")
	logFormat := fs.String("log-format", env("APICEMU_LOG_FORMAT", "text"), "text (key=value) or json (one object a line) [APICEMU_LOG_FORMAT]")
	adminToken := fs.String("admin-token", env("APICEMU_ADMIN_TOKEN", ""),
		"bearer token of the state API below /_emulator/ (reset, export, import, fixtures, faults); empty: off [APICEMU_ADMIN_TOKEN]")
	var faults faultFlags
	fs.Var(&faults, "fault", "inject a fault, OPERATION:key=value,... with keys status, code, message, latency, probability, e.g.\n"+
		"CreateApiV2:status=429,code=APIG.0308,probability=0.5 or '*:latency=2s' (repeatable)")
	lim, cacheBytes := server.DefaultLimits, server.DefaultCacheBytes
	var envErrs []error
	durationFlag := func(p *time.Duration, name, envName, usage string) {
		*p = envParse(envName, *p, time.ParseDuration, &envErrs)
		fs.DurationVar(p, name, *p, usage+" ["+envName+"]")
	}
	intFlag := func(p *int, name, envName, usage string) {
		*p = envParse(envName, *p, strconv.Atoi, &envErrs)
		fs.IntVar(p, name, *p, usage+" ["+envName+"]")
	}
	durationFlag(&lim.ReadTimeout, "read-timeout", "APICEMU_READ_TIMEOUT", "longest time to read a request, headers and body")
	durationFlag(&lim.WriteTimeout, "write-timeout", "APICEMU_WRITE_TIMEOUT", "longest time from the end of a request's headers to the end of its response")
	durationFlag(&lim.IdleTimeout, "idle-timeout", "APICEMU_IDLE_TIMEOUT", "longest time a keep-alive connection waits for its next request")
	durationFlag(&lim.RequestTimeout, "request-timeout", "APICEMU_REQUEST_TIMEOUT", "deadline of a request's work, store included; past it: 503 APIG.9999")
	intFlag(&lim.MaxConns, "max-conns", "APICEMU_MAX_CONNS", "connections served at once; more wait to be accepted (lowered to fit the open-files limit)")
	intFlag(&lim.MaxInFlight, "max-inflight", "APICEMU_MAX_INFLIGHT", "requests handled at once; more are answered 429 APIG.0308")
	intFlag(&cacheBytes, "cache-bytes", "APICEMU_CACHE_BYTES", "bytes of query answers kept in memory")
	if code, done := cmdline.Parse(fs, args, stdout, stderr, func(w io.Writer) {
		fmt.Fprint(w, usage)
		cmdline.PrintFlags(fs, w)
	}); done {
		return code
	}
	if err := errors.Join(envErrs...); err != nil {
		fmt.Fprintf(stderr, "apicemu: %v\n", err)
		return 2
	}
	lim.MaxConns = fitOpenFiles(lim.MaxConns)
	tuneGC()
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "apicemu: --log-level: %v\n", err)
		return 2
	}
	logOut := newBufferedLog(stderr, 100*time.Millisecond)
	defer logOut.Close()
	log, err := newLogger(logOut, *logFormat, lv)
	if err != nil {
		fmt.Fprintf(stderr, "apicemu: --log-format: %v\n", err)
		return cmdline.Usage
	}
	fixtureSet, err := fixtures.Load(*fx)
	if err != nil {
		fmt.Fprintf(stderr, "apicemu: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "apicemu: %v\n", err)
		return cmdline.Usage
	}
	defer st.Close()
	srv, err := server.New(server.Options{Store: st, Fixtures: fixtureSet, Logger: log,
		AdminToken: *adminToken, Faults: faults, Limits: lim, CacheBytes: cacheBytes})
	if err != nil {
		fmt.Fprintf(stderr, "apicemu: %v\n", err)
		return cmdline.Usage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "apicemu: %v\n", err)
		return cmdline.Usage
	}
	ln = lim.Listener(ln)
	hs := lim.HTTPServer(srv.Handler())
	log.Info("apicemu listening", "addr", ln.Addr().String(), "store", redacted(*dsn))
	fmt.Fprintf(stdout, "apicemu: listening on http://%s\n", ln.Addr())
	if started != nil {
		started(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "apicemu: %v\n", err)
		return cmdline.Usage
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		fmt.Fprintf(stderr, "apicemu: shutdown: %v\n", err)
		return cmdline.Usage
	}
	return 0
}

// envParse returns the value of the environment variable name parsed by parse, or def when it
// is not set; a value that does not parse is recorded in errs.
func envParse[T any](name string, def T, parse func(string) (T, error), errs *[]error) T {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def
	}
	x, err := parse(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return x
}

// redacted hides the password of a database URL, for logs.
func redacted(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}
