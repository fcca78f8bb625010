package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance/emulator"
)

func apicconf(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelp(t *testing.T) {
	code, stderr, _ := apicconf("--help") // the help is on stdout
	assert.Equal(t, 0, code)
	for _, s := range []string{"-version", "-target", "-token", "-ak", "-sk", "-project", "-instance", "-other-token",
		"-format", "-out", "-run", "-workers", "-set", "--set group_id=", "-fail-on"} {
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
	assert.Regexp(t, `^conformance: 4 cases: 4 passed, 0 failed, 0 expected-rejections, 0 not run; responses: \d+ checked, 0 of \d+ groups not conforming; 0 warnings\n$`, stdout)
	assert.Contains(t, stderr, "[4/4]", "progress: two examples and two flows, as many as the summary's cases")
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
	hs := failingTarget()
	defer hs.Close()
	code, stdout, _ := apicconf("--target", hs.URL, "--token", "t", "--project", "p", "--instance", "i",
		"--run", `^flows/unknown-id/(ShowDetailsOfApiV1|UpdateApi)$|^examples/CreateApi/request/`)
	assert.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	// Three cases fail; the three 500 answers conform to the spec (documented, vendor body).
	assert.Equal(t, "conformance: 3 cases: 0 passed, 3 failed, 0 expected-rejections, 0 not run; responses: 3 checked, 0 of 3 groups not conforming; 0 warnings", lines[len(lines)-1])
	assert.Contains(t, stdout, "FAIL flows/unknown-id/ShowDetailsOfApiV1")
}

// A live run first checks the credentials with one call, and stops with exit 2 and a clear
// message when the target refuses them; an unreachable target stops it too.
func TestLiveRunChecksCredentials(t *testing.T) {
	calls := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error_code":"APIG.1002","error_msg":"Incorrect token"}`)) //nolint:errcheck
	}))
	defer hs.Close()
	code, stdout, stderr := apicconf("--target", hs.URL, "--token", "t", "--project", "p", "--instance", "i")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "apicconf: credential check: the target refused the token")
	assert.Contains(t, stderr, "401 APIG.1002")
	assert.Equal(t, 1, calls, "one call, then nothing more")

	hs.Close()
	code, _, stderr = apicconf("--target", hs.URL, "--token", "t", "--project", "p", "--instance", "i")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "cannot reach")
}

// A live run says how many APIs it will create (the same cases on the in-process emulator)
// and how many it created; each failed case has a reproducer that names no secret.
func TestLiveRunPlanAndReproducers(t *testing.T) {
	hs := failingTarget()
	defer hs.Close()
	code, stdout, stderr := apicconf("--target", hs.URL, "--token", "secret-token", "--project", "p", "--instance", "i",
		"--run", `^examples/CreateApiV2/request/`)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `this run will create [1-9]\d* APIs in project p`, stderr)
	assert.Contains(t, stderr, "0 APIs created, 0 deleted")
	assert.Contains(t, stdout, "    reproduce:        curl -sS -i -X POST '"+hs.URL+"/v2/p/apic/instances/i/apis' -H 'Content-Type: application/json' -H \"X-Auth-Token: $APICCONF_TOKEN\" --data-raw '{")
	assert.NotContains(t, stdout, "secret-token")
}

// The HTML report is one page with the summary, the matrix and the failures.
func TestHTMLReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	code, stdout, stderr := apicconf("--run", `^examples/CreateApi/`, "--format", "html", "--out", out)
	require.Equal(t, 0, code, stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	page := string(data)
	assert.Contains(t, page, strings.TrimSpace(stdout))
	assert.Contains(t, page, `<table id="matrix">`)
	assert.NotContains(t, page, "<script")
	assert.NotContains(t, page, "http://", "self-contained: no outside resources")
}

// failingTarget answers every call with 500 APIG.9999.
func failingTarget() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "0123456789abcdef0123456789abcdef")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error_code":"APIG.9999","error_msg":"System error"}`)) //nolint:errcheck
	}))
}

// laxTarget answers every create with 201 and every other call as an unknown id: a gateway
// that checks nothing.
func laxTarget() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "0123456789abcdef0123456789abcdef")
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error_code":"APIG.3002","error_msg":"The API does not exist"}`)) //nolint:errcheck
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":"0123456789abcdef0123456789abcdef"}`)) //nolint:errcheck
	}))
}

// A gateway that lets near-miss credentials through (a token's prefix, an expired date, a
// body that is not the signed one, ...) or creates APIs that name unknown resources fails
// every one of those flows.
func TestLaxTargetIsNoticed(t *testing.T) {
	hs := laxTarget()
	defer hs.Close()
	for run, n := range map[string]string{"^flows/auth-near-miss/": "19", "^flows/unknown-reference/": "7"} {
		code, stdout, _ := apicconf("--target", hs.URL, "--token", "tok", "--ak", "ak", "--sk", "sk",
			"--project", "p", "--instance", "i", "--other-token", "other", "--other-project", "q",
			"--run", run, "--keep")
		assert.Equal(t, 1, code, run)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		assert.Contains(t, lines[len(lines)-1], "conformance: "+n+" cases: 0 passed, "+n+" failed", run)
	}
}

// A target whose success answers carry a member no page documents passes with a warning
// that every format shows; --fail-on warning makes it fail.
func TestUndocumentedMembersWarn(t *testing.T) {
	extra := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			if rec.Code == http.StatusCreated {
				body = append([]byte(`{"cf_extra":1,`), body[1:]...)
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			w.Write(body) //nolint:errcheck
		})
	}
	target, stop, err := emulator.StartWith(context.Background(), extra)
	require.NoError(t, err)
	defer stop()
	args := []string{"--target", target.BaseURL, "--token", target.Token, "--project", target.ProjectID,
		"--instance", target.InstanceID, "--run", `^examples/CreateApi/request/`}
	code, stdout, stderr := apicconf(args...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "WARN responses/CreateApi/201/undocumented [undocumented-member]: members no page documents: cf_extra (1 of 1 answers)")
	assert.Contains(t, stdout, "; 1 warnings\n")
	code, _, _ = apicconf(append(args, "--fail-on", "warning")...)
	assert.Equal(t, 1, code)
	out := filepath.Join(t.TempDir(), "report.html")
	code, _, _ = apicconf(append(args, "--format", "html", "--out", out)...)
	require.Equal(t, 0, code)
	page, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(page), `<h2 id="warnings">Warnings (1)</h2>`)
	assert.Contains(t, string(page), "cf_extra")
}
