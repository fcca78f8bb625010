package selftest_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/emulator"
	"github.com/apiclab/apic/conformance/selftest"
)

// subset is what each deviation is run against: every example and flow, the legacy create's
// rule cases, and the ROMA create's cases of valid values (each enum and boolean value, each
// omitted default) from one documented example (all the ROMA rule cases would take minutes
// per deviation).
var subset = regexp.MustCompile(`^(examples|flows)/|^rules/CreateApi/|^rules/CreateApiV2/Page000WebBackend/[^/]+/(enum|type|default)/(is-|omitted)`)

func run(t *testing.T, d *selftest.Deviation) *conformance.Report {
	t.Helper()
	ctx := context.Background()
	var target conformance.Target
	var stop func()
	var err error
	if d == nil {
		target, stop, err = emulator.Start(ctx)
	} else {
		target, stop, err = emulator.StartWith(ctx, d.Wrap)
	}
	require.NoError(t, err)
	defer stop()
	// A deviation is noticed at its first failure: the rest of the subset need not run.
	rep, err := conformance.Run(ctx, target, conformance.Options{Run: subset, Workers: 8, FailFast: d != nil})
	require.NoError(t, err)
	return rep
}

// The suite notices every deviation in the list: at least one case fails with the deviation
// in place (or, for a deviation noticed as a finding of its own kind, such a finding is
// reported), while none fails and nothing is reported against the emulator as it is.
func TestEveryDeviationIsNoticed(t *testing.T) {
	clean := run(t, nil)
	require.Zero(t, clean.Counts()[conformance.Failed], "the emulator itself passes the subset")
	require.Zero(t, clean.Counts()[conformance.Warning], "the emulator itself answers only documented members")
	score := map[string][2]int{} // category: noticed, all
	for _, d := range selftest.Deviations() {
		t.Run(d.Category+"/"+d.Name, func(t *testing.T) {
			rep := run(t, &d)
			noticed := rep.Counts()[conformance.Failed] > 0
			if kind := d.Kind(); kind != "" {
				noticed = false
				for _, r := range rep.Results {
					noticed = noticed || (r.Kind == kind && r.Status != conformance.Passed)
				}
			}
			s := score[d.Category]
			s[1]++
			if noticed {
				s[0]++
			} else {
				t.Errorf("the suite did not notice %q (as %q)", d.Name, d.Kind())
			}
			score[d.Category] = s
		})
	}
	var cats []string
	total := [2]int{}
	for c, s := range score {
		cats = append(cats, fmt.Sprintf("%-17s %2d of %2d", c, s[0], s[1]))
		total[0] += s[0]
		total[1] += s[1]
	}
	sort.Strings(cats)
	t.Logf("deviations noticed, per category:\n%s\nall: %d of %d", strings.Join(cats, "\n"), total[0], total[1])
	assert.GreaterOrEqual(t, total[1], 40, "the harness has at least 40 deviations")
}
