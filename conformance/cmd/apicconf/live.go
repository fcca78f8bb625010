package main

import (
	"context"
	"fmt"
	"io"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/emulator"
	"github.com/apiclab/apic/internal/cmdline"
)

// beforeLiveRun checks the credentials with one harmless call, and says how many APIs the
// run will create: as many as the same cases create on the in-process emulator, which
// answers as the specs say. It returns cmdline.OK to go on.
func beforeLiveRun(ctx context.Context, t conformance.Target, opts conformance.Options, stderr io.Writer) int {
	answer, err := conformance.CheckCredentials(ctx, t)
	if err != nil {
		fmt.Fprintf(stderr, "apicconf: credential check: %v\n", err)
		return cmdline.Usage
	}
	fmt.Fprintf(stderr, "apicconf: credentials accepted (%s)\n", answer)
	fmt.Fprintln(stderr, "apicconf: counting the APIs the run will create (the same cases against the in-process emulator)...")
	emu, stop, err := emulator.Start(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "apicconf: counting the APIs the run creates: %v\n", err)
		return cmdline.Usage
	}
	defer stop()
	// The ids --set gives exist in the account, not in the emulator's fixtures.
	opts.Progress, opts.Substitute = nil, nil
	rep, err := conformance.Run(ctx, emu, opts)
	if err != nil {
		fmt.Fprintf(stderr, "apicconf: counting the APIs the run creates: %v\n", err)
		return cmdline.Usage
	}
	fmt.Fprintf(stderr, "apicconf: this run will create %d APIs in project %s (names and routes start with \"cf\")\n",
		rep.Created, t.ProjectID)
	return cmdline.OK
}
