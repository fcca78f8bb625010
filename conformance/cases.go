package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/conformance/catalog"
	"github.com/apiclab/apic/conformance/derive"
	"github.com/apiclab/apic/generated/validation"
)

// The vendor's error codes the suite judges by.
const (
	codeInvalid = "APIG.2011" // a parameter has an invalid value; error_msg has parameterName:<path>
	codeMissing = "APIG.2001" // a required parameter is missing; same message form
)

// afterValidation are the codes a server answers only once a body has passed validation:
// the name or route is taken, or an id in the body names nothing in the account. A valid
// case answered with one of them was accepted by validation, which is what the case is
// about. This is why cases that are about name or req_uri keep their value (two cases may
// then share a name, and the second gets APIG.3202): changing it would change the case.
var afterValidation = map[string]bool{
	"APIG.3202": true, // name taken
	"APIG.3301": true, // method + path + match mode taken
	"APIG.3001": true, // group
	"APIG.3004": true, // integration app
	"APIG.3019": true, // function
	"APIG.3023": true, // VPC channel
	"APIG.3081": true, // authorizer
}

func (r *runner) exampleJob(ex Example) job {
	kind := "response-example"
	switch {
	case ex.Where == "request":
		kind = "request-example"
	case strings.HasPrefix(ex.Where, "4") || strings.HasPrefix(ex.Where, "5"):
		kind = "error-example"
	}
	return job{id: "examples/" + ex.Ref(), run: func(ctx context.Context) Result {
		o := r.ops[ex.Operation]
		res := Result{Section: SectionExamples, Operation: ex.Operation, Kind: kind}
		entry, rejected := o.ledger.ExpectedRejection(ex.Ref())
		fails := map[Point][]string{}
		for _, f := range CheckExample(o.spec, o.ledger, ex) {
			fails[f.Point] = append(fails[f.Point], f.Message)
		}
		points := []Point{PointOracle, PointGenerated, PointDecode, PointRoundTrip}
		if rejected {
			// The ledger's verdict stands for the spec; only the validators judge it offline.
			points = []Point{PointGenerated}
			res.Ledger = entry
		}
		var bad []string
		for _, p := range points {
			v := "ok"
			if rejected {
				v = "reject"
			}
			if m := fails[p]; len(m) > 0 {
				v = strings.Join(m, "; ")
				bad = append(bad, string(p))
			}
			res.Verdicts = append(res.Verdicts, Verdict{p, v})
		}
		if ex.Where == "request" {
			bad = append(bad, r.sendExample(ctx, o, ex, rejected, &res)...)
		}
		switch {
		case res.Status == NotRun:
		case len(bad) > 0:
			res.Status = Failed
			res.Message = "disagrees at " + strings.Join(bad, ", ")
			res.Disagree = pointsOf(bad)
			if rejected {
				res.Message = fmt.Sprintf("ledger %s records it as breaking a kept rule; %s", entry, res.Message)
			}
		case rejected:
			res.Status, res.Message = ExpectedRejection, "rejected at every point, as ledger "+entry+" records"
		default:
			res.Status = Passed
		}
		return res
	}}
}

// sendExample judges a request example at the client's pre-flight validation and at the
// target: the documented success status with a body that validates against the response
// schema and decodes into the generated type, or, for an example the ledger records as
// breaking a kept rule, a validation error. It returns the points that disagree.
func (r *runner) sendExample(ctx context.Context, o *op, ex Example, rejected bool, res *Result) []string {
	var bad []string
	data := mustJSON(r.prepare(o, ex.Value, nil))
	pre := r.preflightVerdict(ctx, o.op.OperationID, data)
	res.Verdicts = append(res.Verdicts, Verdict{PointClient, pre})
	if strings.HasPrefix(pre, "accept") == rejected {
		bad = append(bad, string(PointClient))
	}
	where, why := r.where(ctx, o.op.OperationID)
	if why != "" {
		res.Status, res.Message = NotRun, why
		return nil
	}
	p, err := send(ctx, r.main, o.op.OperationID, where, data)
	if err != nil {
		res.Verdicts = append(res.Verdicts, Verdict{PointServer, "error: " + err.Error()})
		return append(bad, string(PointServer))
	}
	if rejected {
		code, _ := p.errorBody()
		ok := p.status == 400 && (code == codeInvalid || code == codeMissing)
		res.Verdicts = append(res.Verdicts, Verdict{PointServer, verdictWord(!ok) + p.String()})
		if !ok {
			bad = append(bad, string(PointServer))
		}
		return bad
	}
	v := p.String()
	problem := ""
	switch {
	case p.status != o.success:
		problem = fmt.Sprintf("want %d", o.success)
	case !p.typed:
		problem = "the generated client did not decode the body"
	default:
		if msg, _ := o.checkResponse(p.status, "application/json", p.body); msg != "" {
			problem = msg
		} else if name := o.responseType(p.status); name != "" {
			if _, err := o.spec.Decode(name, p.body); err != nil {
				problem = "the generated strict decoder rejects it: " + errText(err)
			}
		}
	}
	if problem != "" {
		bad = append(bad, string(PointServer))
		v = "reject: " + v + " (" + problem + ")"
	} else {
		v = "accept: " + fmt.Sprint(p.status) + ", body conforms"
	}
	res.Verdicts = append(res.Verdicts, Verdict{PointServer, v})
	return bad
}

func verdictWord(accepted bool) string {
	if accepted {
		return "accept: "
	}
	return "reject: "
}

// responseType is the component schema of the operation's JSON answer with this status.
func (o *op) responseType(status int) string {
	ref := o.op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return ""
	}
	if mt := ref.Value.Content.Get("application/json"); mt != nil {
		return SchemaName(mt.Schema)
	}
	return ""
}

// preflightVerdict asks the validating client: its transport never sends, so a request that
// reaches it passed validation.
//
// A request sent with advisory violations gets "accept, warning: ..." (advisoryText).
func (r *runner) preflightVerdict(ctx context.Context, opID string, data []byte) string {
	var warnings validation.Errors
	_, err := send(context.WithValue(ctx, warningsKey{}, &warnings), r.preflight, opID, at{project: "p", instance: "i", id: "id"}, data)
	switch {
	case errors.Is(err, errNotSent):
		return advisoryText(nil, warnings)
	case err == nil:
		return "error: the pre-flight client returned a response without sending"
	}
	if _, ok := validation.AsErrors(err); ok {
		return genText(err)
	}
	return "error: " + err.Error()
}

// where is where an operation's calls go, or why they cannot be made against this target.
func (r *runner) where(ctx context.Context, opID string) (at, string) {
	switch opID {
	case "CreateApiV2", "ShowDetailsOfApiV1", "ShowDetailsOfApiV2", "DeleteApiV2", "ListApisV2":
		if r.t.ProjectID == "" || r.t.InstanceID == "" {
			return at{}, "the ROMA operations need a project id (--project) and an instance id (--instance)"
		}
	case "UpdateApiV2":
		if r.t.ProjectID == "" || r.t.InstanceID == "" {
			return at{}, "the ROMA operations need a project id (--project) and an instance id (--instance)"
		}
		r.updateV2Once.Do(func() {
			r.updateV2ID, _, r.updateV2Err = r.create(ctx, r.main, "CreateApiV2")
		})
		if r.updateV2Err != nil {
			return at{}, "no API to update: " + r.updateV2Err.Error()
		}
		return r.here(r.updateV2ID), ""
	case "UpdateApi":
		id, err := r.updateTarget(ctx)
		if err != nil {
			return at{}, "no API to update: " + err.Error()
		}
		return r.here(id), ""
	}
	return r.here(""), ""
}

// updateTarget is the legacy API that UpdateApi cases modify, created once from the first
// documented CreateApi example. Valid updates give it names and routes of their own, so
// cases never conflict with each other through it.
func (r *runner) updateTarget(ctx context.Context) (string, error) {
	r.updateOnce.Do(func() {
		r.updateID, _, r.updateErr = r.create(ctx, r.main, "CreateApi")
	})
	return r.updateID, r.updateErr
}

// create creates an API from the operation's first documented example that no ledger
// entry rejects, with a name and route of its own.
func (r *runner) create(ctx context.Context, c *clients, opID string) (string, map[string]any, error) {
	o := r.ops[opID]
	body := r.prepare(o, r.example(opID), nil)
	where, why := r.where(ctx, opID)
	if why != "" {
		return "", nil, errors.New(why)
	}
	p, err := send(ctx, c, opID, where, mustJSON(body))
	if err != nil {
		return "", nil, err
	}
	if p.status != o.success {
		return "", nil, fmt.Errorf("%s: want %d, got %s", opID, o.success, p)
	}
	var out map[string]any
	_ = json.Unmarshal(p.body, &out)
	id, _ := out["id"].(string)
	if id == "" {
		return "", nil, fmt.Errorf("%s: the answer has no id", opID)
	}
	return id, out, nil
}

// example is the first documented request example of an operation that no ledger entry
// rejects; for an update that takes a create body and has no example of its own, the
// create's.
func (r *runner) example(opID string) any {
	o := r.ops[opID]
	doc, _ := o.spec.Doc()
	for _, ex := range Examples(doc) {
		if _, rejected := o.ledger.ExpectedRejection(ex.Ref()); ex.Operation == opID && ex.Where == "request" && !rejected {
			return ex.Value
		}
	}
	for create, update := range updateOf {
		if update == opID {
			return r.example(create)
		}
	}
	return map[string]any{}
}

func (r *runner) ruleJobs() ([]job, error) {
	var jobs []job
	for _, s := range catalog.All() {
		doc, err := s.Doc()
		if err != nil {
			return nil, err
		}
		ledger, err := ParseLedger(s.LedgerYAML)
		if err != nil {
			return nil, err
		}
		cases, gaps := derived(s, doc, ledger)
		for _, c := range cases {
			jobs = append(jobs, job{id: "rules/" + c.ID, run: func(ctx context.Context) Result { return r.ruleCase(ctx, c) }})
		}
		for _, c := range UpdateCases(cases) {
			jobs = append(jobs, job{id: "rules/" + c.ID, run: func(ctx context.Context) Result { return r.ruleCase(ctx, c) }})
		}
		for _, g := range gaps {
			// A constraint without a case is a hole in the suite, not something a target
			// can be spared: it fails.
			id := fmt.Sprintf("rules/%s/%s/%s/%s/gap", g.Operation, g.Schema, orRoot(g.Path), g.Rule)
			jobs = append(jobs, job{id: id, run: func(context.Context) Result {
				return Result{Section: SectionRules, Operation: g.Operation, Kind: g.Rule, Status: Failed,
					Message: "no case could be derived: " + g.Reason}
			}})
		}
	}
	return jobs, nil
}

// derivations caches each spec's derived cases: they depend on the spec alone, and a process
// that runs the suite many times (the self-test) derives them once. Runs only read them.
var derivations sync.Map // *catalog.Spec -> *derivation

type derivation struct {
	once  sync.Once
	cases []derive.Case
	gaps  []derive.Gap
}

func derived(s *catalog.Spec, doc *openapi3.T, ledger Ledger) ([]derive.Case, []derive.Gap) {
	v, _ := derivations.LoadOrStore(s, &derivation{})
	d := v.(*derivation)
	d.once.Do(func() {
		// Examples the ledger rejects are run as expected rejections; they cannot be a
		// valid base for mutations.
		d.cases, d.gaps = derive.DeriveWith(doc, derive.Options{Skip: ledger.BreaksLetter})
	})
	return d.cases, d.gaps
}

// updateOf names the operations whose body is another operation's create body: the page
// documents no example of its own, so its rule cases are the create cases, sent to an
// existing API (ledger ROMA-053).
var updateOf = map[string]string{"CreateApiV2": "UpdateApiV2"}

// UpdateCases returns, for every derived case of a create operation whose body an update
// operation takes too, the same case for the update operation.
func UpdateCases(cases []derive.Case) []derive.Case {
	var out []derive.Case
	for _, c := range cases {
		if u, ok := updateOf[c.Operation]; ok {
			c.ID = u + strings.TrimPrefix(c.ID, c.Operation)
			c.Operation = u
			out = append(out, c)
		}
	}
	return out
}

// ruleCase judges one derived case at the four points: kin-openapi (for the rules it
// reads), the generated validators, the generated client's pre-flight validation and the
// target. Every point must give the case's verdict.
//
// A case of an advisory rule breaks the pages' letter, which kin-openapi reads, but the
// service is known to accept it: the generated validators and the client must accept it with
// a warning naming the ledger entry, and the target must accept it.
func (r *runner) ruleCase(ctx context.Context, c derive.Case) Result {
	o := r.ops[c.Operation]
	res := Result{Section: SectionRules, Operation: c.Operation, Kind: c.Rule}
	if c.Advisory != "" {
		return r.advisoryCase(ctx, o, c)
	}
	value, data, err := Normalize(r.prepare(o, c.Body, &c))
	if err != nil {
		res.Status, res.Message = Failed, err.Error()
		return res
	}
	var bad []string
	judge := func(p Point, accepted bool, verdict string) {
		res.Verdicts = append(res.Verdicts, Verdict{p, verdict})
		if accepted != c.Valid {
			bad = append(bad, string(p))
		}
	}
	if c.Oracle {
		doc, _ := o.spec.Doc()
		err := Oracle(doc.Components.Schemas[c.Schema], value)
		judge(PointOracle, err == nil, oracleText(err))
	} else {
		res.Verdicts = append(res.Verdicts, Verdict{PointOracle, "not judged: kin-openapi does not read " + c.Rule})
	}
	_, genErr := o.spec.Decode(c.Schema, data)
	judge(PointGenerated, genErr == nil, genText(genErr))
	if genErr != nil && !c.Valid && !reports(genErr, c.Rule, c.Path) {
		bad = append(bad, string(PointGenerated)+fmt.Sprintf(" (not for %s at %s)", c.Rule, orRoot(c.Path)))
	}
	pre := r.preflightVerdict(ctx, c.Operation, data)
	judge(PointClient, strings.HasPrefix(pre, "accept"), pre)

	where, why := r.where(ctx, c.Operation)
	if why != "" {
		res.Status, res.Message = NotRun, why
		return res
	}
	p, err := send(ctx, r.main, c.Operation, where, data)
	if err != nil {
		judge(PointServer, !c.Valid, "error: "+err.Error()) // wrong either way
	} else {
		verdict, ok := serverVerdict(o, p, c)
		res.Verdicts = append(res.Verdicts, Verdict{PointServer, verdict})
		if !ok {
			bad = append(bad, string(PointServer))
		}
	}
	if len(bad) > 0 {
		res.Status = Failed
		res.Message = fmt.Sprintf("want %s; disagrees at %s", validWord(c.Valid), strings.Join(bad, ", "))
		res.Disagree = pointsOf(bad)
		return res
	}
	res.Status = Passed
	return res
}

func (r *runner) advisoryCase(ctx context.Context, o *op, c derive.Case) Result {
	res := Result{Section: SectionAdvisory, Operation: c.Operation, Kind: c.Rule, Ledger: c.Advisory}
	value, data, err := Normalize(r.prepare(o, c.Body, &c))
	if err != nil {
		res.Status, res.Message = Failed, err.Error()
		return res
	}
	var bad []string
	verdict := func(p Point, ok bool, text string) {
		res.Verdicts = append(res.Verdicts, Verdict{p, text})
		if !ok {
			bad = append(bad, string(p))
		}
	}
	if c.Oracle {
		doc, _ := o.spec.Doc()
		err := Oracle(doc.Components.Schemas[c.Schema], value)
		verdict(PointOracle, err != nil, "the letter: "+oracleText(err))
	}
	_, warnings, genErr := o.spec.Check(c.Schema, data)
	warned := LedgerCheck{Rule: c.Rule, Path: c.Path}.Warned(c.Advisory, warnings)
	verdict(PointGenerated, genErr == nil && warned, advisoryText(genErr, warnings))
	// The client must send it and warn: the same text as the generated validators'.
	pre := r.preflightVerdict(ctx, c.Operation, data)
	verdict(PointClient, genErr == nil && warned && pre == advisoryText(nil, warnings), pre)

	where, why := r.where(ctx, c.Operation)
	if why != "" {
		res.Status, res.Message = NotRun, why
		return res
	}
	c.Valid = true // what the service is expected to do
	if p, err := send(ctx, r.main, c.Operation, where, data); err != nil {
		verdict(PointServer, false, "error: "+err.Error())
	} else {
		text, ok := serverVerdict(o, p, c)
		verdict(PointServer, ok, text)
		if !ok && strings.HasPrefix(text, "reject") {
			res.Message = fmt.Sprintf("the target enforces %s at %s, which ledger %s grades advisory; ", c.Rule, orRoot(c.Path), c.Advisory)
		}
	}
	if len(bad) > 0 {
		res.Status = Failed
		res.Message += "want accepted with a warning (the letter rejects it); disagrees at " + strings.Join(bad, ", ")
		return res
	}
	res.Status = Passed
	return res
}

// advisoryText is the generated validators' verdict on a case of an advisory rule.
func advisoryText(err error, warnings validation.Errors) string {
	if err != nil {
		return genText(err)
	}
	var parts []string
	for _, w := range warnings {
		parts = append(parts, fmt.Sprintf("%s %s (ledger %s)", orRoot(w.Path), w.Rule, w.Ledger))
	}
	if len(parts) == 0 {
		return "accept"
	}
	return "accept, warning: " + clip(strings.Join(parts, "; "), 300)
}

// serverVerdict reads the target's answer to a rule case. A valid case must get the
// documented success status (or a code that only follows validation); an invalid one 400
// with APIG.2001 for a missing member or APIG.2011 otherwise, naming the member.
func serverVerdict(o *op, p reply, c derive.Case) (verdict string, ok bool) {
	code, msg := p.errorBody()
	switch {
	case p.status == o.success:
		if !p.typed {
			return fmt.Sprintf("accept: %d, but the generated client could not decode the body", p.status), false
		}
		return fmt.Sprintf("accept: %d", p.status), c.Valid
	case p.status == 400 && (code == codeInvalid || code == codeMissing):
		want := codeInvalid
		if c.Rule == validation.RuleRequired || c.Rule == validation.RuleRequiredIf {
			want = codeMissing
		}
		verdict = "reject: " + p.String()
		if c.Valid {
			return verdict, false
		}
		switch {
		case code != want:
			return verdict + " (want " + want + ")", false
		case !namesField(msg, c.Path):
			return verdict + " (error_msg does not name parameterName:" + c.Path + ")", false
		}
		return verdict, true
	case p.status >= 400 && p.status < 500 && afterValidation[code]:
		return "accept: passed validation, then " + p.String(), c.Valid
	}
	return "error: " + p.String(), false
}

// namesField reports whether a vendor error message names the member at path as
// "parameterName:<path>". A rule on the whole body names no member.
func namesField(msg, path string) bool {
	if path == "" {
		return true
	}
	needle := "parameterName:" + path
	for i := 0; ; {
		j := strings.Index(msg[i:], needle)
		if j < 0 {
			return false
		}
		end := i + j + len(needle)
		// The name continues with a letter, digit, _, [ or a . that a member follows.
		next := func(k int) byte {
			if k < len(msg) {
				return msg[k]
			}
			return ' '
		}
		if !isNameByte(next(end)) && next(end) != '[' && !(next(end) == '.' && isNameByte(next(end+1))) {
			return true
		}
		i = end
	}
}

func isNameByte(b byte) bool {
	return b == '_' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// reports reports whether the validators rejected a document for rule at path (or below it;
// a oneOf failure names the union).
func reports(err error, rule, path string) bool {
	v, ok := validation.AsErrors(err)
	if !ok {
		return false
	}
	for _, x := range v {
		if x.Rule == rule && (x.Path == path || strings.HasPrefix(x.Path, path)) {
			return true
		}
		if rule == validation.RuleOneOf && x.Rule == validation.RuleOneOf && strings.HasPrefix(path, x.Path) {
			return true
		}
	}
	return false
}

func validWord(valid bool) string {
	if valid {
		return "valid"
	}
	return "invalid"
}

// genText is the generated validators' verdict: every violation, path and rule.
func genText(err error) string {
	if err == nil {
		return "accept"
	}
	return "reject: " + clip(strings.TrimSuffix(strings.TrimPrefix(errText(err), "invalid ("), ")"), 300)
}

// oracleText is kin-openapi's verdict: each violation's place and reason, without the
// schema dump its messages carry.
func oracleText(err error) string {
	if err == nil {
		return "accept"
	}
	var parts []string
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		var se *openapi3.SchemaError
		switch {
		case errors.As(err, &me):
			for _, e := range me {
				walk(e)
			}
		case errors.As(err, &se):
			parts = append(parts, "/"+strings.Join(se.JSONPointer(), "/")+": "+se.Reason)
		default:
			parts = append(parts, err.Error())
		}
	}
	walk(err)
	return "reject: " + clip(strings.Join(parts, "; "), 300)
}

// prepare makes the body a case sends: a copy with the --set substitutions everywhere but
// at the place a rule case is about, and, for a document meant to be accepted, a name and
// route of its own (so that cases and runs do not collide) unless the case is about them
// or about the whole body. A change the validators would not accept is dropped.
func (r *runner) prepare(o *op, v any, c *derive.Case) any {
	out, data, err := Normalize(v)
	if err != nil {
		return v
	}
	about := "\x00" // no place
	if c != nil {
		about = c.Path
	}
	out = substitute(out, "", about, r.opts.Substitute)
	if refs := r.references(o); (c == nil || c.Valid) && differs(out, "", about, refs) {
		// Ids the derived cases synthesize ("a") name nothing, so such a case would be
		// refused for state before anything is stored: point them at what exists, unless that
		// changes the verdict.
		if cand, _, err := Normalize(out); err == nil {
			cand = substitute(cand, "", about, refs)
			if o.reqType == "" || r.validBody(o, cand) == r.validBody(o, out) {
				out = cand
			}
		}
	}
	m, ok := out.(map[string]any)
	if !ok || (c != nil && !c.Valid) {
		return out
	}
	n := r.seq.Add(1)
	suffix := fmt.Sprintf("cf%s_%d", r.runID, n)
	orig := mustJSON(m)
	if _, ok := m["name"].(string); ok && about != "" && about != "name" {
		m["name"] = suffix
	}
	if uri, ok := m["req_uri"].(string); ok && about != "" && about != "req_uri" {
		m["req_uri"] = strings.TrimSuffix(uri, "/") + "/" + suffix
	}
	if o.reqType != "" {
		_, before := o.spec.Decode(o.reqType, data)
		if _, after := o.spec.Decode(o.reqType, mustJSON(m)); (before == nil) != (after == nil) {
			var back map[string]any
			_ = json.Unmarshal(orig, &back)
			return back
		}
	}
	return m
}

// referenceMembers name the members that refer to a resource of the account: a value that
// names nothing is refused after validation (afterValidation).
var referenceMembers = []string{"group_id", "authorizer_id", "function_urn", "roma_app_id", "vpc_channel_id"}

// references maps each reference member to an id that exists: the target's (--app,
// --vpc-channel), else the first one the operation's spec's documented requests use; members
// --set names are left to it.
func (r *runner) references(o *op) map[string]string {
	r.refsOnce.Do(func() { r.refs = map[*op]map[string]string{} })
	r.refsMu.Lock()
	defer r.refsMu.Unlock()
	if m, ok := r.refs[o]; ok {
		return m
	}
	m := map[string]string{}
	if r.t.AppID != "" {
		m["roma_app_id"] = r.t.AppID
	}
	if r.t.VPCChannelID != "" && strings.Contains(o.path, "/apic/") {
		m["vpc_channel_id"] = r.t.VPCChannelID
	}
	doc, _ := o.spec.Doc()
	for _, ex := range Examples(doc) {
		if ex.Where == "request" {
			findReferences(ex.Value, m)
		}
	}
	for k := range r.opts.Substitute {
		delete(m, k)
	}
	r.refs[o] = m
	return m
}

// differs reports whether substitute(v, path, skip, subs) would change v.
func differs(v any, path, skip string, subs map[string]string) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			p := join(path, k)
			if s, ok := subs[k]; ok && p != skip {
				if _, isObj := val.(map[string]any); !isObj && val != s {
					return true
				}
			}
			if differs(val, p, skip, subs) {
				return true
			}
		}
	case []any:
		for i := range x {
			if differs(x[i], fmt.Sprintf("%s[%d]", path, i), skip, subs) {
				return true
			}
		}
	}
	return false
}

func findReferences(v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if s, ok := x[k].(string); ok && s != "" && contains(referenceMembers, k) && out[k] == "" {
				out[k] = s
			}
			findReferences(x[k], out)
		}
	case []any:
		for _, e := range x {
			findReferences(e, out)
		}
	}
}

func (r *runner) validBody(o *op, v any) bool {
	_, err := o.spec.Decode(o.reqType, mustJSON(v))
	return err == nil
}

// substitute replaces members named in subs at any depth, except at the path skip.
func substitute(v any, path, skip string, subs map[string]string) any {
	if len(subs) == 0 {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			p := join(path, k)
			if s, ok := subs[k]; ok && p != skip {
				if _, isObj := val.(map[string]any); !isObj {
					x[k] = s
					continue
				}
			}
			x[k] = substitute(val, p, skip, subs)
		}
	case []any:
		for i := range x {
			x[i] = substitute(x[i], fmt.Sprintf("%s[%d]", path, i), skip, subs)
		}
	}
	return v
}

func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return data
}
