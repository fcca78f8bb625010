package main

import (
	"bytes"
	"strings"
	"testing"
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
	} {
		var out, errOut bytes.Buffer
		code := run(c.args, nil, &out, &errOut)
		if code != c.code || !strings.Contains(out.String(), c.out) {
			t.Errorf("%v: exit %d (want %d), output %q, stderr %q, want %q", c.args, code, c.code, out.String(), errOut.String(), c.out)
		}
	}
}
