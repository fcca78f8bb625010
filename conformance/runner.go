package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/conformance/catalog"
)

// Target is the server the suite talks to, and who it is to the server.
type Target struct {
	// Name is how reports name the target ("in-process emulator", or the URL).
	Name    string
	BaseURL string
	// HTTPClient sends the requests (nil: a client with a 30 s timeout). The suite wraps its
	// transport to check every response.
	HTTPClient *http.Client

	// Credentials: a token (X-Auth-Token), or an AK/SK pair that signs requests as the
	// official SDKs do. With both, requests use the token and the AK/SK pair is used by the
	// signature flows.
	Token  string
	AK, SK string

	// ProjectID and InstanceID go into the ROMA paths (and X-Project-Id for AK/SK).
	ProjectID, InstanceID string

	// OtherProjectID and OtherToken belong to a second project, for the isolation flow; the
	// flow is reported as not run without them.
	OtherProjectID, OtherToken string

	// OtherGroupID is a second API group of the ROMA instance, and OtherAPIGGroupID one of
	// the legacy gateway, for the flows that show a name or route free in another group of
	// the same product (not run without it).
	OtherGroupID, OtherAPIGGroupID string
	// AppID is an integration app of the ROMA instance (a global group needs one), and
	// VPCChannelID a VPC channel of it (the VPC-backend flows are not run without it). Derived
	// cases whose synthesized members name an app or a VPC channel name these, so that they
	// are stored rather than refused as naming nothing.
	AppID, VPCChannelID string
}

// Options tune a run.
type Options struct {
	// Run keeps only the cases whose ID it matches (nil: all). Response checks are not
	// filtered: they judge whatever the kept cases made the target send.
	Run *regexp.Regexp
	// Workers is how many cases run at once (default 16).
	Workers int
	// Substitute replaces the value of every request-body member with this name (group_id,
	// authorizer_id, vpc_channel_id, ...), at any depth, except at the place a rule case is
	// about: the documented examples name ids that exist in the emulator's fixtures, not in
	// a live account.
	Substitute map[string]string
	// Progress, when set, is called after each case (never concurrently).
	Progress func(done, total int, id string)
	// ReproBase is the base URL a failed case's reproducer names (default: the target's).
	ReproBase string
	// ReproCredentials prints the target's tokens in reproducers as they are; by default
	// they are $APICCONF_TOKEN and $APICCONF_OTHER_TOKEN, so that no secret is printed. The
	// in-process emulator's credentials are public fixtures.
	ReproCredentials bool
	// Keep leaves the APIs the run created on the target. By default the run deletes every
	// one of them at the end, also when it was cancelled.
	Keep bool
	// FailFast stops starting cases at the first failure (a failed case, or a response that
	// does not conform); the cases not started are reported as not run.
	FailFast bool
}

// Status is a case's outcome.
type Status string

const (
	Passed            Status = "passed"
	Failed            Status = "failed"
	ExpectedRejection Status = "expected-rejection" // a request example the ledger records as breaking a kept rule, rejected at every point
	NotRun            Status = "not-run"            // the case cannot run against this target; Message says why
	// Warning is a finding that does not fail the run (members no page documents,
	// KindUndocumented); apicconf --fail-on warning makes it fail.
	Warning Status = "warning"
)

// Sections of a report, in report order.
const (
	SectionExamples = "examples"
	SectionRules    = "rules"
	// SectionAdvisory holds the cases of advisory rules: a server is expected to accept
	// them, so a live run shows which documented rules the service really enforces.
	SectionAdvisory  = "advisory"
	SectionFlows     = "flows"
	SectionResponses = "responses"
)

// Verdict is what one point said about a document.
type Verdict struct {
	Point   Point  `json:"point"`
	Verdict string `json:"verdict"`
}

// Result is one case's outcome.
type Result struct {
	ID        string    `json:"id"`
	Section   string    `json:"section"`
	Operation string    `json:"operation"`
	Kind      string    `json:"kind"` // rule name, "request"/"response" example, "flow", "response"
	Status    Status    `json:"status"`
	Ledger    string    `json:"ledger,omitempty"`
	Verdicts  []Verdict `json:"verdicts,omitempty"`
	Message   string    `json:"message,omitempty"` // why it failed or was not run
	Count     int       `json:"count,omitempty"`   // responses: how many were checked
	// Disagree lists the points whose verdict was not the case's (a failed case).
	Disagree []Point `json:"disagree,omitempty"`
	// Reproducer is a curl command line that sends the failed case's last request again.
	Reproducer string `json:"reproducer,omitempty"`
}

// Report is the outcome of a run.
type Report struct {
	Target    string    `json:"target"`
	Started   time.Time `json:"started"`
	Seconds   float64   `json:"seconds"`
	Responses int       `json:"responses"` // every response the target sent, each checked
	// Created is how many APIs the target created for the run, Removed how many of them the
	// run deleted (in flows, and in the cleanup at the end unless Options.Keep).
	Created int      `json:"created"`
	Removed int      `json:"removed"`
	Results []Result `json:"results"`
}

// Counts returns how many results have each status.
func (r *Report) Counts() map[Status]int {
	out := map[Status]int{}
	for _, x := range r.Results {
		out[x.Status]++
	}
	return out
}

// Failed reports whether any case failed.
func (r *Report) Failed() bool { return r.Counts()[Failed] > 0 }

// op is one operation of a spec, with what the suite needs to call and judge it.
type op struct {
	spec    *catalog.Spec
	ledger  Ledger
	op      *openapi3.Operation
	method  string
	path    string
	success int    // the documented 2xx status
	reqType string // component schema of the request body ("" without one)
}

// job is one case waiting to run.
type job struct {
	id  string
	run func(ctx context.Context) Result
}

type runner struct {
	t     Target
	opts  Options
	runID string // makes names and routes unique to this run, so that runs never collide
	seq   atomic.Int64
	ops   map[string]*op

	main, preflight *clients
	hc              *http.Client // sends through rec
	rec             *recorder
	// clock dates the signatures (nil: time.Now); tests fix it.
	clock func() time.Time
	// stop is closed at the first failure of a FailFast run.
	stop     chan struct{}
	stopOnce sync.Once
	// refs caches references() per operation.
	refsOnce sync.Once
	refsMu   sync.Mutex
	refs     map[*op]map[string]string

	// The legacy API that UpdateApi cases modify, created on first use.
	updateOnce sync.Once
	updateID   string
	updateErr  error
	// The ROMA API that UpdateApiV2 rule cases modify, created on first use.
	updateV2Once sync.Once
	updateV2ID   string
	updateV2Err  error
}

// Run runs the suite against t. The error is for a run that could not start (a spec that
// does not load, a bad base URL); everything the target does wrong is in the report.
func Run(ctx context.Context, t Target, opts Options) (*Report, error) {
	start := time.Now()
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	r := &runner{t: t, opts: opts, runID: randomHex(3), ops: map[string]*op{}, stop: make(chan struct{})}
	for _, s := range catalog.All() {
		if err := r.addSpec(s); err != nil {
			return nil, err
		}
	}
	hc := t.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	r.rec = newRecorder(hc.Transport, r.ops)
	r.rec.onProblem = r.failed
	recorded := *hc
	recorded.Transport = r.rec
	r.hc = &recorded
	var err error
	if r.main, err = newClients(t.BaseURL, &recorded, false, r.authEditor(t.Token)); err != nil {
		return nil, err
	}
	// The pre-flight point: a validating client whose transport never sends, so that each
	// case reaches the target once.
	if r.preflight, err = newClients(t.BaseURL, neverSend{}, true, nil); err != nil {
		return nil, err
	}

	jobs, err := r.jobs()
	if err != nil {
		return nil, err
	}
	if opts.Run != nil {
		kept := jobs[:0]
		for _, j := range jobs {
			if opts.Run.MatchString(j.id) {
				kept = append(kept, j)
			}
		}
		jobs = kept
	}
	results := r.runAll(ctx, jobs)
	if !opts.Keep {
		// A cancelled run still cleans up: the deletes get a context of their own.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		r.cleanup(cctx)
		cancel()
	}
	created, removed := r.rec.tally()
	results = append(results, r.rec.results()...)
	order := map[string]int{SectionExamples: 0, SectionRules: 1, SectionAdvisory: 2, SectionFlows: 3, SectionResponses: 4}
	sort.SliceStable(results, func(i, j int) bool {
		return order[results[i].Section] < order[results[j].Section]
	})
	name := t.Name
	if name == "" {
		name = t.BaseURL
	}
	return &Report{Target: name, Started: start, Seconds: time.Since(start).Seconds(),
		Responses: r.rec.total(), Created: created, Removed: removed, Results: results}, nil
}

func (r *runner) addSpec(s *catalog.Spec) error {
	doc, err := s.Doc()
	if err != nil {
		return err
	}
	ledger, err := ParseLedger(s.LedgerYAML)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			x := &op{spec: s, ledger: ledger, op: o, method: method, path: path}
			for code := 200; code < 300 && x.success == 0; code++ {
				if o.Responses.Status(code) != nil {
					x.success = code
				}
			}
			if o.RequestBody != nil && o.RequestBody.Value != nil {
				if mt := o.RequestBody.Value.Content.Get("application/json"); mt != nil {
					x.reqType = SchemaName(mt.Schema)
				}
			}
			r.ops[o.OperationID] = x
		}
	}
	return nil
}

// failed notes a failure: a FailFast run starts no more cases.
func (r *runner) failed() {
	if r.opts.FailFast {
		r.stopOnce.Do(func() { close(r.stop) })
	}
}

// jobs lists every case: examples, flows, rules (the report orders them by section). The
// flows come before the thousands of rule cases so that a FailFast run reaches them early.
func (r *runner) jobs() ([]job, error) {
	var jobs []job
	for _, s := range catalog.All() {
		doc, _ := s.Doc()
		for _, ex := range Examples(doc) {
			jobs = append(jobs, r.exampleJob(ex))
		}
	}
	rules, err := r.ruleJobs()
	if err != nil {
		return nil, err
	}
	jobs = append(jobs, r.flowJobs()...)
	return append(jobs, rules...), nil
}

// runAll runs the jobs on a bounded pool of workers and returns their results in job order.
func (r *runner) runAll(ctx context.Context, jobs []job) []Result {
	results := make([]Result, len(jobs))
	next := make(chan int)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for w := 0; w < r.opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sent := &lastRequest{}
				res := jobs[i].run(withCapture(ctx, sent))
				res.ID = jobs[i].id
				if res.Status == Failed {
					res.Reproducer = sent.curl(r.t.BaseURL, r.opts.ReproBase, r.secrets())
					r.failed()
				}
				results[i] = res
				if r.opts.Progress != nil {
					mu.Lock()
					done++
					r.opts.Progress(done, len(jobs), res.ID)
					mu.Unlock()
				}
			}
		}()
	}
dispatch:
	for i := range jobs {
		var why string
		select {
		case <-r.stop:
			why = "not started: an earlier case failed (fail fast)"
		default:
			select {
			case next <- i:
				continue
			case <-ctx.Done():
				why = "the run was cancelled" // Ctrl-C
			case <-r.stop:
				why = "not started: an earlier case failed (fail fast)"
			}
		}
		// The cases not started are reported as not run.
		for j := i; j < len(jobs); j++ {
			results[j] = Result{ID: jobs[j].id, Section: sectionOf(jobs[j].id), Status: NotRun, Message: why}
		}
		break dispatch
	}
	close(next)
	wg.Wait()
	return results
}

// sectionOf is the section a job id starts with ("rules/...").
func sectionOf(id string) string {
	s, _, _ := strings.Cut(id, "/")
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// secrets maps the target's tokens to what reproducers print instead.
func (r *runner) secrets() map[string]string {
	if r.opts.ReproCredentials {
		return nil
	}
	out := map[string]string{}
	if r.t.Token != "" {
		out[r.t.Token] = "$APICCONF_TOKEN"
	}
	if r.t.OtherToken != "" {
		out[r.t.OtherToken] = "$APICCONF_OTHER_TOKEN"
	}
	return out
}
