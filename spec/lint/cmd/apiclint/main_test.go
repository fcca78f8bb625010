package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Runs in spec/lint: waiver files are named as the linter is given them (from the repository
// root in real use).
func TestRun(t *testing.T) {
	t.Chdir("../..")
	td := "testdata/"
	for _, c := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--help"}, 0, "OAS-VALID"},
		{[]string{"--format", "xml", td + "OP-FIELDS/pass.yaml"}, 2, ""},
		{[]string{"--no-such-flag"}, 2, ""},
		{[]string{td + "OP-FIELDS/pass.yaml"}, 0, "0 errors, 0 warnings, 0 waived"},
		{[]string{td + "OP-FIELDS/fail.yaml"}, 1, "error OP-FIELDS GetThing has no summary"},
		{[]string{td + "STRING-MAXLENGTH/fail.yaml"}, 0, "warning STRING-MAXLENGTH"},
		{[]string{"--fail-on", "warning", td + "STRING-MAXLENGTH/fail.yaml"}, 1, ""},
		{[]string{"--format", "github-actions", td + "OP-FIELDS/fail.yaml"}, 1, "::error file=" + td + "OP-FIELDS/fail.yaml,line=8,col=5,title=OP-FIELDS::"},
		{[]string{"--config", td + "WAIVER-UNUSED/fail.lint.yaml", td + "WAIVER-UNUSED/fail.yaml"}, 1, "WAIVER-UNUSED"},
		{[]string{"--config", td + "WAIVER-UNUSED/pass.lint.yaml", "--format", "json", td + "WAIVER-UNUSED/pass.yaml"}, 0, `"reason": "the page documents no 404"`},
		{[]string{"--config", "missing.yaml", td + "OP-FIELDS/pass.yaml"}, 2, ""},
		{[]string{"--version"}, 0, "apiclint "},
		{[]string{"--warnings", "summary", td + "STRING-MAXLENGTH/fail.yaml"}, 0, "warning STRING-MAXLENGTH: 1 findings"},
		{[]string{"--warnings", "all", td + "STRING-MAXLENGTH/fail.yaml"}, 2, ""},
		// JUnit failures agree with the exit code: a warning fails only with --fail-on warning.
		{[]string{"--format", "junit", td + "STRING-MAXLENGTH/fail.yaml"}, 0, `failures="0"`},
		{[]string{"--format", "junit", "--fail-on", "warning", td + "STRING-MAXLENGTH/fail.yaml"}, 1, `failures="1"`},
		{[]string{"--format", "junit", td + "OP-FIELDS/fail.yaml"}, 1, `failures="1"`},
		{[]string{"--format", "sarif", td + "OP-FIELDS/fail.yaml"}, 1, `"ruleId": "OP-FIELDS"`},
	} {
		var out, errOut bytes.Buffer
		code := run(c.args, nil, &out, &errOut)
		if code != c.code || !strings.Contains(out.String(), c.out) {
			t.Errorf("%v: exit %d (want %d), output %q, stderr %q, want %q", c.args, code, c.code, out.String(), errOut.String(), c.out)
		}
	}
}

// --help prints the help once, on stdout.
func TestHelpOnce(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"--help"}, nil, &out, &errOut))
	assert.Equal(t, 1, strings.Count(out.String(), "usage: apiclint"))
	assert.Empty(t, errOut.String())
}

// The SARIF log validates against the SARIF 2.1.0 schema; a finding is a located result and
// a waived finding a suppressed one; a warning is level "warning" unless it fails the run.
func TestSARIF(t *testing.T) {
	t.Chdir("../..")
	td := "testdata/"
	for _, c := range []struct {
		args  []string
		level string
	}{
		{[]string{td + "STRING-MAXLENGTH/fail.yaml"}, "warning"},
		{[]string{"--fail-on", "warning", td + "STRING-MAXLENGTH/fail.yaml"}, "error"},
		{[]string{"--config", td + "WAIVER-UNUSED/pass.lint.yaml", td + "WAIVER-UNUSED/pass.yaml"}, ""},
	} {
		var out, errOut bytes.Buffer
		run(append([]string{"--format", "sarif"}, c.args...), nil, &out, &errOut)
		log, err := sarif.FromBytes(out.Bytes())
		require.NoError(t, err, out.String())
		require.NoError(t, log.Validate())
		require.Len(t, log.Runs, 1)
		res := log.Runs[0].Results
		require.NotEmpty(t, res, c.args)
		if c.level == "" {
			require.NotEmpty(t, res[0].Suppressions)
			assert.Equal(t, "the page documents no 404", *res[0].Suppressions[0].Justification)
			continue
		}
		assert.Equal(t, c.level, res[0].Level)
		loc := res[0].Locations[0].PhysicalLocation
		assert.Equal(t, td+"STRING-MAXLENGTH/fail.yaml", *loc.ArtifactLocation.URI)
		assert.Positive(t, *loc.Region.StartLine)
	}
}
