package breaking

import (
	"os"
	"path/filepath"
	"testing"
)

// Each case of testdata/breaking/<case>/{base,revision}.yaml yields its breaking change, and
// the compatible case none.
func TestCompare(t *testing.T) {
	want := map[string]string{
		"compatible":                 "",
		"response-property-removed":  "response-optional-property-removed",
		"operation-removed":          "api-path-removed-without-deprecation",
		"request-type-narrowed":      "request-property-type-changed",
		"new-required-request-field": "request-property-became-required",
		"request-enum-value-removed": "request-property-enum-value-removed",
		"response-enum-value-added":  "response-property-enum-value-added",
		// The x- rules, their grades and defaults, which oasdiff does not read.
		"x-required-if-added":      "x-rule-added",
		"x-rule-became-enforced":   "x-rule-became-enforced",
		"x-enum-ci-removed":        "x-enum-ci-became-case-sensitive",
		"x-rule-became-advisory":   "",
		"default-changed":          "",
		"x-rule-added-on-response": "",
		"always-returned-removed":  "",
		"always-returned-added":    "",
	}
	// Changes that are reported without breaking anything.
	warnings := map[string]string{
		"x-rule-became-advisory":   "x-rule-became-advisory",
		"default-changed":          "default-changed",
		"x-rule-added-on-response": "x-rule-added",
		"always-returned-removed":  "always-returned-removed",
		"always-returned-added":    "always-returned-added",
	}
	dirs, _ := filepath.Glob("../testdata/breaking/*")
	if len(dirs) != len(want) {
		t.Fatalf("cases %v, want %d", dirs, len(want))
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			base, err := os.ReadFile(filepath.Join(dir, "base.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			rev, err := os.ReadFile(filepath.Join(dir, "revision.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			changes, err := Compare(base, rev)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			found := false
			for _, c := range changes {
				if c.Breaking {
					ids = append(ids, c.ID)
					found = found || c.ID == want[name]
				}
			}
			if want[name] == "" && len(ids) > 0 || want[name] != "" && !found {
				t.Errorf("breaking changes %v, want %q", ids, want[name])
			}
			if w := warnings[name]; w != "" {
				reported := false
				for _, c := range changes {
					reported = reported || !c.Breaking && c.ID == w
				}
				if !reported {
					t.Errorf("changes %v, want the warning %q", changes, w)
				}
			}
		})
	}
}
