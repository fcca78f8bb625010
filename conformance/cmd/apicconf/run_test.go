package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func apicconf(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelp(t *testing.T) {
	code, _, stderr := apicconf("--help")
	assert.Equal(t, 0, code)
	for _, s := range []string{"-target", "-token", "-ak", "-sk", "-project", "-instance", "-other-token",
		"-format", "-out", "-run", "-workers", "-set", "--set group_id="} {
		assert.Contains(t, stderr, s)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--format", "yaml"},
		{"--run", "("},
		{"--nope"},
		{"extra"},
		{"--target", "http://127.0.0.1:1"}, // no credentials
		{"--target", "http://127.0.0.1:1", "--ak", "A", "--sk", "S"}, // AK/SK without a project
		{"--token", "x"}, // credentials without a target
		{"--set", "novalue"},
	} {
		code, _, stderr := apicconf(args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
	}
}

// Against the emulator, the picked cases pass: exit 0, and only they are in the report.
func TestRunPicksCasesAndPasses(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.json")
	code, stdout, stderr := apicconf("--run", `^(flows/unknown-id/(ShowDetailsOfApiV1|UpdateApi)$|examples/CreateApi/)`, "--format", "json", "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `^conformance: \d+ passed, 0 failed, 0 expected-rejections\n$`, stdout)
	assert.Contains(t, stderr, "[4/4]", "progress: two examples and two flows")
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var rep struct {
		Results []struct{ ID, Section, Status string } `json:"results"`
	}
	require.NoError(t, json.Unmarshal(data, &rep))
	for _, r := range rep.Results {
		if r.Section != "responses" {
			assert.Regexp(t, `^(flows/unknown-id/(ShowDetailsOfApiV1|UpdateApi)$|examples/CreateApi/)`, r.ID)
		}
	}
}

// A target that answers every call with 500 fails: exit 1, and the text report ends with
// the summary line.
func TestFailingTargetExitsOne(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error_code":"APIG.9999","error_msg":"System error"}`)) //nolint:errcheck
	}))
	defer hs.Close()
	code, stdout, _ := apicconf("--target", hs.URL, "--token", "t", "--project", "p", "--instance", "i",
		"--run", `^flows/unknown-id/(ShowDetailsOfApiV1|UpdateApi)$|^examples/CreateApi/request/`)
	assert.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	// Three cases fail; the three 500 answers conform to the spec (documented, vendor body).
	assert.Equal(t, "conformance: 3 passed, 3 failed, 0 expected-rejections", lines[len(lines)-1])
	assert.Contains(t, stdout, "FAIL flows/unknown-id/ShowDetailsOfApiV1")
}
