package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"time"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/emulator"
	"github.com/apiclab/apic/internal/cmdline"
)

const usage = `usage: apicconf [flags]

Runs the conformance suite: every documented example, cases derived from every rule of the
specs, the documented flows (create and query, modify, the whole lifecycle of both products,
list parameters, unknown id, tenant isolation, credentials, duplicates and the scope of the
uniqueness rules, VPC and policy backends), and a check of every response against the spec
(the members x-always-returned lists, what the request sent and the defaults of what it left
out). Each case is judged by kin-openapi, the generated validators, the generated client's
pre-flight validation and the target. Members of success answers that no page documents are
warnings (undocumented-member): they fail the run only with --fail-on warning.

Without --target it runs against the in-process emulator (fresh in-memory store, built-in
fixtures and credentials). With --target it runs against that base URL, for instance the
live service, to show where the service and the pages disagree:

  apicconf --target https://apig.<region>.myhuaweicloud.com --token "$TOKEN" \
    --project <project id> --instance <ROMA instance id> \
    --set group_id=<your group id> --set authorizer_id=<your authorizer id>

Before a live run it checks the credentials with one harmless call (a query of an id that
does not exist) and stops if the target refuses them, then says how many APIs the run will
create (names and routes start with "cf"), counted by running the same cases against the
in-process emulator; use --run to choose cases. It deletes every API it created at the end,
also after failures and Ctrl-C, and says how many it created and removed; --keep leaves them.
Each failed case ends with a curl command line that sends its request again ($APICCONF_TOKEN
stands for the token).
The documented examples name ids (group_id, authorizer_id, vpc_channel_id, function_urn,
roma_app_id, ...) that exist in the emulator's fixtures but not in your account: --set
NAME=VALUE replaces every request-body member NAME with VALUE (except where a rule case is
about that member). Cases that cannot run against a target (the isolation flow without a
second project, AK/SK flows without a key, the other-group flows without --other-group (ROMA)
or --other-apig-group (legacy gateway), the VPC flows without --vpc-channel) are reported as
not run, with the reason.

Flags (secrets may also come from APICCONF_TOKEN, APICCONF_SK, APICCONF_OTHER_TOKEN):
`

// stringsFlag collects a repeated NAME=VALUE flag.
type stringsFlag map[string]string

func (s stringsFlag) String() string { return "" }
func (s stringsFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", v)
	}
	s[k] = val
	return nil
}

// run is the command; it returns the exit status: 0 when nothing failed, 1 when a case
// failed (or, with --fail-on warning, a warning was found), 2 for a usage or tool error.
func run(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("apicconf", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var t conformance.Target
	target := fs.String("target", "", "base URL of the target (default: the in-process emulator)")
	fs.StringVar(&t.Token, "token", os.Getenv("APICCONF_TOKEN"), "X-Auth-Token of the project")
	fs.StringVar(&t.AK, "ak", os.Getenv("APICCONF_AK"), "access key, to sign requests as the SDKs do (instead of, or besides, --token)")
	fs.StringVar(&t.SK, "sk", os.Getenv("APICCONF_SK"), "secret key of --ak")
	fs.StringVar(&t.ProjectID, "project", "", "project id (ROMA paths, X-Project-Id)")
	fs.StringVar(&t.InstanceID, "instance", "", "ROMA Connect instance id")
	fs.StringVar(&t.OtherToken, "other-token", os.Getenv("APICCONF_OTHER_TOKEN"), "token of a second project, for the isolation flow")
	fs.StringVar(&t.OtherProjectID, "other-project", "", "id of the second project")
	fs.StringVar(&t.OtherGroupID, "other-group", "", "a second API group of the ROMA instance, for the uniqueness-scope flows")
	fs.StringVar(&t.OtherAPIGGroupID, "other-apig-group", "", "a second API group of the legacy gateway, for its uniqueness-scope flows")
	fs.StringVar(&t.AppID, "app", "", "an integration app of the ROMA instance: sent with --other-group, and by the derived cases that name an app")
	fs.StringVar(&t.VPCChannelID, "vpc-channel", "", "a VPC channel of the ROMA instance, for the VPC-backend flows")
	subs := stringsFlag{}
	fs.Var(subs, "set", "NAME=VALUE: substitute request-body member NAME (repeatable), e.g. group_id=...")
	format := fs.String("format", "text", "report format: text, json, junit or html (one self-contained page)")
	out := fs.String("out", "", "write the report to FILE (default: standard output)")
	runRe := fs.String("run", "", "run only the cases whose ID matches this regular expression")
	workers := fs.Int("workers", 16, "cases run at once")
	keep := fs.Bool("keep", false, "keep the APIs the run creates (default: delete them at the end)")
	failFast := fs.Bool("fail-fast", false, "start no more cases after the first failure (the rest are reported as not run)")
	failOn := fs.String("fail-on", "error", "what fails the run: error (failed cases), or warning (warnings too: members no page documents)")
	if code, done := cmdline.Parse(fs, args, stdout, stderr, func(w io.Writer) {
		fmt.Fprint(w, usage)
		cmdline.PrintFlags(fs, w)
	}); done {
		return code
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "apicconf: "+format+"\n", args...)
		return 2
	}
	if fs.NArg() > 0 {
		return fail("unexpected arguments %q (see --help)", fs.Args())
	}
	if *format != "text" && *format != "json" && *format != "junit" && *format != "html" {
		return fail("--format must be text, json, junit or html")
	}
	if *workers < 1 {
		return fail("--workers must be at least 1")
	}
	if *failOn != "error" && *failOn != "warning" {
		return fail("--fail-on must be error or warning")
	}
	opts := conformance.Options{Workers: *workers, Substitute: subs, Keep: *keep, FailFast: *failFast}
	if *runRe != "" {
		re, err := regexp.Compile(*runRe)
		if err != nil {
			return fail("--run: %v", err)
		}
		opts.Run = re
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	if *target == "" {
		if t.Token != "" || t.AK != "" || t.ProjectID != "" {
			return fail("credentials and ids are for --target; the emulator uses its fixtures'")
		}
		emu, stop, err := emulator.Start(ctx)
		if err != nil {
			return fail("starting the emulator: %v", err)
		}
		defer stop()
		t = emu
		// Reproducers name a local apicemu (make run) and its public fixture credentials.
		opts.ReproBase, opts.ReproCredentials = "http://127.0.0.1:8080", true
	} else {
		if t.Token == "" && (t.AK == "" || t.SK == "") {
			return fail("--target needs --token, or --ak and --sk")
		}
		if t.AK != "" && t.ProjectID == "" {
			return fail("AK/SK signing needs --project")
		}
		t.BaseURL, t.Name = strings.TrimSuffix(*target, "/"), *target
		if code := beforeLiveRun(ctx, t, opts, stderr); code != cmdline.OK {
			return code
		}
	}
	opts.Progress = progress(stderr)
	rep, err := conformance.Run(ctx, t, opts)
	if err != nil {
		return fail("%v", err)
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fail("%v", err)
		}
		defer f.Close()
		w = f
	}
	if err := rep.Write(w, *format); err != nil {
		return fail("writing the report: %v", err)
	}
	if *out != "" {
		fmt.Fprintln(stdout, rep.Summary())
	}
	if *target != "" || rep.Created > 0 {
		fmt.Fprintf(stderr, "apicconf: %d APIs created, %d deleted\n", rep.Created, rep.Removed)
	}
	if rep.Failed() || (*failOn == "warning" && rep.Counts()[conformance.Warning] > 0) {
		return 1
	}
	return 0
}

// progress shows a case counter on stderr: rewritten in place on a terminal, otherwise a
// line every tenth of the run so that CI logs stay short.
func progress(w io.Writer) func(done, total int, id string) {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil {
			tty = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	var last time.Time
	step := 0
	return func(done, total int, id string) {
		if tty {
			if done < total && time.Since(last) < 50*time.Millisecond {
				return
			}
			last = time.Now()
			if len(id) > 70 {
				id = id[:70] + "..."
			}
			fmt.Fprintf(w, "\r\x1b[K[%d/%d] %s", done, total, id)
			if done == total {
				fmt.Fprintln(w)
			}
			return
		}
		if s := done * 10 / total; s > step || done == total {
			step = s
			fmt.Fprintf(w, "[%d/%d] %s\n", done, total, id)
		}
	}
}
