package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/catalog"
	"github.com/apiclab/apic/conformance/derive"
	"github.com/apiclab/apic/conformance/emulator"
)

func serverVerdict(r conformance.Result) string {
	for _, v := range r.Verdicts {
		if v.Point == conformance.PointServer {
			return v.Verdict
		}
	}
	return ""
}

// The whole suite against the in-process emulator: every section has cases, every case runs,
// and nothing fails.
func TestSuiteAgainstEmulator(t *testing.T) {
	target, stop, err := emulator.Start(context.Background())
	require.NoError(t, err)
	defer stop()
	rep, err := conformance.Run(context.Background(), target, conformance.Options{})
	require.NoError(t, err)

	perSection := map[string]map[conformance.Status]int{}
	ids := map[string]bool{}
	for _, r := range rep.Results {
		assert.False(t, ids[r.ID], "two cases have the id %s", r.ID)
		ids[r.ID] = true
		if perSection[r.Section] == nil {
			perSection[r.Section] = map[conformance.Status]int{}
		}
		perSection[r.Section][r.Status]++
		assert.NotEqual(t, conformance.NotRun, r.Status, "%s: the emulator has every credential: %s", r.ID, r.Message)
		if r.Status != conformance.Failed {
			continue
		}
		t.Errorf("%s: %s\n%s", r.ID, r.Message, verdicts(r))
	}

	// Every documented example and every derived case is in the report.
	examples, cases, advisory := 0, 0, 0
	for _, s := range catalog.All() {
		doc, err := s.Doc()
		require.NoError(t, err)
		ledger, err := conformance.ParseLedger(s.LedgerYAML)
		require.NoError(t, err)
		examples += len(conformance.Examples(doc))
		c, gaps := derive.DeriveWith(doc, derive.Options{Skip: ledger.BreaksLetter})
		up := conformance.UpdateCases(c)
		cases += len(c) + len(up) + len(gaps)
		for _, x := range append(c, up...) {
			if x.Advisory != "" {
				advisory++
			}
		}
	}
	total := func(section string) int {
		n := 0
		for _, c := range perSection[section] {
			n += c
		}
		return n
	}
	assert.Equal(t, examples, total(conformance.SectionExamples))
	assert.Equal(t, cases, total(conformance.SectionRules)+total(conformance.SectionAdvisory))
	assert.Equal(t, advisory, total(conformance.SectionAdvisory), "every case of an advisory rule is in its own section")
	for _, s := range []string{conformance.SectionExamples, conformance.SectionRules, conformance.SectionAdvisory, conformance.SectionFlows, conformance.SectionResponses} {
		assert.Positive(t, perSection[s][conformance.Passed], "section %s", s)
	}
	assert.Zero(t, perSection[conformance.SectionResponses][conformance.Failed], "every response conforms")
	assert.Greater(t, rep.Responses, cases, "every case reached the server, and the flows")
	assert.Positive(t, rep.Created)
	assert.Equal(t, rep.Created, rep.Removed, "the run deletes every API it created")
	for _, path := range []string{"/v2/" + target.ProjectID + "/apic/instances/" + target.InstanceID + "/apis?limit=1", "/v1.0/apigw/apis?page_size=1"} {
		req, err := http.NewRequest(http.MethodGet, target.BaseURL+path, nil)
		require.NoError(t, err)
		req.Header.Set("X-Auth-Token", target.Token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var page struct{ Total int }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
		resp.Body.Close()
		assert.Zero(t, page.Total, "%s: nothing is left behind", path)
	}
	t.Logf("%s in %.1fs; %d responses; %d APIs created, %d deleted; per section %v", rep.Summary(), rep.Seconds, rep.Responses, rep.Created, rep.Removed, perSection)
}

func verdicts(r conformance.Result) string {
	var b strings.Builder
	for _, v := range r.Verdicts {
		b.WriteString("    " + string(v.Point) + ": " + v.Verdict + "\n")
	}
	return b.String()
}

func sampleReport() *conformance.Report {
	return &conformance.Report{Target: "test", Responses: 3, Results: []conformance.Result{
		{ID: "examples/A/request/x", Section: "examples", Operation: "A", Kind: "request-example", Status: conformance.Passed},
		{ID: "examples/A/request/y", Section: "examples", Operation: "A", Kind: "request-example", Status: conformance.ExpectedRejection, Ledger: "ROMA-007", Message: "rejected"},
		{ID: "rules/A/x/name/maxLength/over", Section: "rules", Operation: "A", Kind: "maxLength", Status: conformance.Failed,
			Message: "want invalid; disagrees at server", Verdicts: []conformance.Verdict{{Point: conformance.PointGenerated, Verdict: "reject: name maxLength"}, {Point: conformance.PointServer, Verdict: "accept: 201"}}},
		{ID: "rules/A/x/name/maxLength/at-max", Section: "rules", Operation: "A", Kind: "maxLength", Status: conformance.Passed},
		{ID: "flows/isolation", Section: "flows", Operation: "B", Kind: "flow", Status: conformance.NotRun, Message: "needs a second project"},
		{ID: "responses/A/201", Section: "responses", Operation: "A", Kind: "response", Status: conformance.Passed, Count: 3},
		{ID: "responses/A/201/undocumented", Section: "responses", Operation: "A", Kind: conformance.KindUndocumented, Status: conformance.Warning, Count: 3,
			Message: "members no page documents: extra (3 of 3 answers)"},
	}}
}

func TestTextReport(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport().Write(&b, "text"))
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	assert.Equal(t, "conformance: 5 cases: 2 passed, 1 failed, 1 expected-rejections, 1 not run; responses: 3 checked, 0 of 1 groups not conforming; 1 warnings", lines[len(lines)-1])
	out := b.String()
	assert.Contains(t, out, "FAIL rules/A/x/name/maxLength/over: want invalid; disagrees at server")
	assert.Contains(t, out, "server:           accept: 201", "both verdicts are shown")
	assert.Contains(t, out, "EXPECTED-REJECTION examples/A/request/y (ledger ROMA-007)")
	assert.Contains(t, out, "NOT RUN flows/isolation: needs a second project")
	assert.Contains(t, out, "not run: 1")
	assert.Contains(t, out, "WARN responses/A/201/undocumented [undocumented-member]: members no page documents: extra (3 of 3 answers)")
	assert.Contains(t, out, "warnings: 1")
	for _, head := range []string{"section", "operation", "kind"} {
		assert.Contains(t, out, head+" ")
	}
}

func TestJSONReport(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport().Write(&b, "json"))
	var got struct {
		Results []conformance.Result       `json:"results"`
		Counts  map[conformance.Status]int `json:"counts"`
		Summary string                     `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	assert.Len(t, got.Results, 7)
	assert.Equal(t, 1, got.Counts[conformance.Failed])
	assert.Equal(t, 1, got.Counts[conformance.Warning])
	assert.Equal(t, conformance.Warning, got.Results[6].Status)
	assert.Equal(t, conformance.KindUndocumented, got.Results[6].Kind)
	assert.Equal(t, 1, got.Counts[conformance.NotRun])
	assert.Equal(t, "conformance: 5 cases: 2 passed, 1 failed, 1 expected-rejections, 1 not run; responses: 3 checked, 0 of 1 groups not conforming; 1 warnings", got.Summary)
}

func TestJUnitReport(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport().Write(&b, "junit"))
	var got struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
			Cases []struct {
				Name       string    `xml:"name,attr"`
				Failure    *struct{} `xml:"failure"`
				SystemOut  string    `xml:"system-out"`
				Properties []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:"value,attr"`
				} `xml:"properties>property"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(b.Bytes(), &got))
	assert.Equal(t, 7, got.Tests)
	assert.Equal(t, 1, got.Failures)
	assert.Equal(t, 1, got.Skipped)
	require.Len(t, got.Suites, 4)
	assert.Equal(t, "rules", got.Suites[1].Name)
	assert.Equal(t, 2, got.Suites[1].Tests)
	assert.NotNil(t, got.Suites[1].Cases[0].Failure)
	warn := got.Suites[3].Cases[1]
	assert.Nil(t, warn.Failure, "a warning does not fail")
	assert.Equal(t, "warning", warn.Properties[0].Name)
	assert.Equal(t, conformance.KindUndocumented, warn.Properties[0].Value)
	assert.Contains(t, warn.SystemOut, "members no page documents: extra")
	assert.Error(t, sampleReport().Write(&b, "yaml"))
}

// Options.Run keeps only the matching cases; the response checks judge what they sent.
func TestRunFilter(t *testing.T) {
	target, stop, err := emulator.Start(context.Background())
	require.NoError(t, err)
	defer stop()
	rep, err := conformance.Run(context.Background(), target, conformance.Options{Run: regexpMust(`^flows/(unknown-id/(ShowDetailsOfApiV1|UpdateApi)|duplicate-name/.*)$`)})
	require.NoError(t, err)
	var ids []string
	for _, r := range rep.Results {
		if r.Section != conformance.SectionResponses {
			ids = append(ids, r.ID)
		}
		assert.Equal(t, conformance.Passed, r.Status, "%s: %s", r.ID, r.Message)
	}
	assert.ElementsMatch(t, []string{"flows/unknown-id/ShowDetailsOfApiV1", "flows/unknown-id/UpdateApi",
		"flows/duplicate-name/CreateApiV2", "flows/duplicate-name/CreateApi"}, ids)
	assert.Positive(t, rep.Responses)
}

// Flows that need credentials the target lacks are reported as not run, with the reason.
func TestNotRunWithoutCredentials(t *testing.T) {
	target, stop, err := emulator.Start(context.Background())
	require.NoError(t, err)
	defer stop()
	target.OtherToken, target.AK, target.SK = "", "", ""
	rep, err := conformance.Run(context.Background(), target, conformance.Options{Run: regexpMust(`^flows/(isolation/(ShowDetailsOfApiV1|UpdateApi)$|credentials/CreateApi/)`)})
	require.NoError(t, err)
	notRun := map[string]string{}
	for _, r := range rep.Results {
		if r.Status == conformance.NotRun {
			notRun[r.ID] = r.Message
		}
	}
	assert.Contains(t, notRun["flows/isolation/ShowDetailsOfApiV1"], "--other-token")
	assert.Contains(t, notRun["flows/credentials/CreateApi/signed"], "--ak")
	assert.Len(t, notRun, 4)
}

// The other-group flows run for both products against the emulator's fixtures, and are
// reported as not run, naming the option that gives the group, when a target has none.
func TestOtherGroupFlowsNeedASecondGroup(t *testing.T) {
	target, stop, err := emulator.Start(context.Background())
	require.NoError(t, err)
	defer stop()
	only := conformance.Options{Run: regexpMust(`^flows/uniqueness-scope/[^/]+/same-[a-z]+-other-group$`)}
	statuses := func(tg conformance.Target) map[string]conformance.Result {
		rep, err := conformance.Run(context.Background(), tg, only)
		require.NoError(t, err)
		got := map[string]conformance.Result{}
		for _, r := range rep.Results {
			if r.Section == conformance.SectionFlows {
				got[r.ID] = r
			}
		}
		return got
	}
	ids := []string{"flows/uniqueness-scope/CreateApiV2/same-name-other-group", "flows/uniqueness-scope/CreateApiV2/same-route-other-group",
		"flows/uniqueness-scope/CreateApi/same-name-other-group", "flows/uniqueness-scope/CreateApi/same-route-other-group"}
	got := statuses(target)
	require.Len(t, got, len(ids))
	for _, id := range ids {
		assert.Equal(t, conformance.Passed, got[id].Status, "%s: %s", id, got[id].Message)
	}
	target.OtherGroupID, target.OtherAPIGGroupID = "", ""
	got = statuses(target)
	for _, id := range ids {
		assert.Equal(t, conformance.NotRun, got[id].Status, id)
	}
	assert.Contains(t, got[ids[0]].Message, "--other-group")
	assert.Contains(t, got[ids[2]].Message, "--other-apig-group")
	assert.Contains(t, got[ids[3]].Message, "--other-apig-group")
}

// A cancelled run (Ctrl-C) still deletes what it created; Keep leaves it.
func TestCleanupAfterCancelAndKeep(t *testing.T) {
	target, stop, err := emulator.Start(context.Background())
	require.NoError(t, err)
	defer stop()
	count := func() int {
		req, err := http.NewRequest(http.MethodGet, target.BaseURL+"/v1.0/apigw/apis?page_size=1", nil)
		require.NoError(t, err)
		req.Header.Set("X-Auth-Token", target.Token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var page struct{ Total int }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
		return page.Total
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep, err := conformance.Run(ctx, target, conformance.Options{Run: regexpMust(`^(rules/CreateApi/|flows/)`),
		Progress: func(done, _ int, _ string) {
			if done == 40 {
				cancel()
			}
		}})
	require.NoError(t, err)
	assert.Positive(t, rep.Created)
	assert.Equal(t, rep.Created, rep.Removed)
	assert.Zero(t, count(), "a cancelled run leaves nothing behind")
	assert.Positive(t, rep.Counts()[conformance.NotRun], "the cases not started are reported as not run")

	rep, err = conformance.Run(context.Background(), target, conformance.Options{Run: regexpMust(`^flows/duplicate-name/CreateApi$`), Keep: true})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Created)
	assert.Zero(t, rep.Removed)
	assert.Equal(t, 1, count(), "--keep keeps the APIs")
}

// A FailFast run starts no case after the first failure; the rest are reported as not run.
func TestFailFast(t *testing.T) {
	broken := func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Request-Id", "0123456789abcdef0123456789abcdef")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"error_code":"APIG.9999","error_msg":"System error"}`)) //nolint:errcheck
		})
	}
	target, stop, err := emulator.StartWith(context.Background(), broken)
	require.NoError(t, err)
	defer stop()
	rep, err := conformance.Run(context.Background(), target, conformance.Options{Run: regexpMust(`^rules/CreateApi/`), Workers: 1, FailFast: true})
	require.NoError(t, err)
	counts := rep.Counts()
	// The one worker may have taken the second case before the first one's failure was known.
	assert.LessOrEqual(t, counts[conformance.Failed]+counts[conformance.Passed], 2, "the run stopped at the first failure")
	assert.Greater(t, counts[conformance.NotRun], 100)
	for _, r := range rep.Results {
		if r.Status == conformance.NotRun {
			assert.Contains(t, r.Message, "fail fast")
		}
	}
}
