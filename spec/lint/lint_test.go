package lint

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wants lists the "file:line" places marked "# want" in the files of a test case.
func wants(t *testing.T, files ...string) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "# want") {
				out[f+":"+itoa(i+1)] = true
			}
		}
	}
	return out
}

// lintCase lints testdata/<rule>/<kind>.yaml with its config (<kind>.lint.yaml) if any, and
// returns the findings of the rule.
func lintCase(t *testing.T, rule, kind string) ([]Diagnostic, map[string]bool) {
	dir := filepath.Join("testdata", rule)
	spec := filepath.Join(dir, kind+".yaml")
	cfgFile := filepath.Join(dir, kind+".lint.yaml")
	var cfg *Config
	if _, err := os.Stat(cfgFile); err == nil {
		if cfg, err = LoadConfig(cfgFile); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Run([]string{spec}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []Diagnostic
	for _, d := range res.Findings {
		if d.Rule == rule {
			got = append(got, d)
		}
	}
	return got, wants(t, spec, filepath.Join(dir, "ledger", kind+".yaml"), cfgFile)
}

// Every rule breaks on its fail.yaml, at each line marked "# want", and is silent on its
// pass.yaml.
func TestRules(t *testing.T) {
	for _, rule := range Rules() {
		t.Run(rule.ID, func(t *testing.T) {
			got, want := lintCase(t, rule.ID, "fail")
			if len(got) == 0 {
				t.Errorf("fail.yaml: no finding of %s", rule.ID)
			}
			if len(want) == 0 {
				t.Errorf("fail.yaml: no line marked # want")
			}
			at := map[string]bool{}
			for _, d := range got {
				at[d.File+":"+itoa(d.Line)] = true
			}
			for w := range want {
				if !at[w] {
					t.Errorf("no %s finding at %s; got %v", rule.ID, w, got)
				}
			}
			if got, _ := lintCase(t, rule.ID, "pass"); len(got) > 0 {
				t.Errorf("pass.yaml: unexpected findings %v", got)
			}
		})
	}
}

func TestExampleViolationsAllReportedWithPaths(t *testing.T) {
	got, _ := lintCase(t, "EXAMPLE-VALID", "fail")
	var msgs []string
	for _, d := range got {
		msgs = append(msgs, d.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, path := range []string{"name:", "size:"} {
		if !strings.Contains(all, path) {
			t.Errorf("no violation at %s in %q", path, all)
		}
	}
}

func TestConfigNeedsReason(t *testing.T) {
	f := filepath.Join(t.TempDir(), "lint.yaml")
	os.WriteFile(f, []byte("waivers:\n- {rule: OP-FIELDS, file: a.yaml, pointer: '#/paths'}\n"), 0o644)
	if _, err := LoadConfig(f); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("want a missing-reason error, got %v", err)
	}
}

func TestFormats(t *testing.T) {
	cfg, err := LoadConfig("testdata/WAIVER-UNUSED/pass.lint.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"testdata/WAIVER-UNUSED/pass.yaml", "testdata/OP-FIELDS/fail.yaml"}
	res, err := Run(files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := res.Write(&b, f, files); err != nil {
			t.Fatal(err)
		}
		out[f] = b.String()
	}
	for f, want := range map[string]string{
		"text":           "testdata/OP-FIELDS/fail.yaml:8:5: error OP-FIELDS GetThing has no summary\nwaived:\n",
		"github-actions": "::error file=testdata/OP-FIELDS/fail.yaml,line=8,col=5,title=OP-FIELDS::GetThing has no summary\n",
		"junit":          `<failure message="1 findings" type="error">`,
	} {
		if !strings.Contains(out[f], want) {
			t.Errorf("%s: want %q in\n%s", f, want, out[f])
		}
	}
	var j struct {
		Findings []Diagnostic       `json:"findings"`
		Waived   []WaivedDiagnostic `json:"waived"`
	}
	if err := json.Unmarshal([]byte(out["json"]), &j); err != nil || len(j.Findings) != 1 || len(j.Waived) != 1 || j.Waived[0].Reason == "" {
		t.Errorf("json: %v %+v", err, j)
	}
}
