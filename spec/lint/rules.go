package lint

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/conformance/derive"
	"github.com/apiclab/apic/spec/xrules"
)

// rules is the registry: every rule with its ID, severity, purpose and handler.
var rules = []Rule{
	{"OAS-VALID", Error, "the spec parses, loads and validates as OpenAPI 3.0.3", checkOASValid},
	{"EXAMPLE-VALID", Error, "every example validates against its schema and x- rules (every violation, with its JSON path), unless the ledger records it as rejected", checkExampleValid},
	{"LEDGER-EXAMPLE", Error, "every example the ledger names exists, and every one it records as rejected (valid: false) really breaks a rule", checkLedgerExample},
	{"LEDGER-LOCATION", Error, "every ledger entry has locations and each points at a spec location that exists", checkLedgerLocation},
	{"OP-FIELDS", Error, "every operation has a unique operationId, a summary, tags and a security requirement", checkOpFields},
	{"OP-RESPONSES", Error, "every operation documents a 2xx and the 400, 401, 403, 404 and 500 error responses", checkOpResponses},
	{"ERROR-BODY", Error, "every error response is application/json with $ref ErrorResponse (error_code, error_msg) and an example", checkErrorBody},
	{"PROP-DESCRIPTION", Error, "every property has a description", checkPropDescription},
	{"STRING-MAXLENGTH", Warning, "every string schema without enum has a maxLength", checkStringMaxLength},
	{"INT-RANGE", Error, "a range documented in a description (A to B) is encoded as minimum/maximum or x-integer-string", checkIntRange},
	{"ADVISORY-LEDGER", Error, "every advisory rule names a ledger entry graded advisory, and every such entry is named by a rule", checkAdvisoryLedger},
	{"X-EXTENSION", Error, "every x- extension on a schema is a defined one, well-formed, naming fields that exist", checkXExtension},
	{"UNUSED-COMPONENT", Error, "every component (schema, parameter, response, example, request body, header) is reachable from an operation", checkUnusedComponent},
	{"REF-CYCLE", Error, "no cycle of schema $refs (the generator cannot handle recursive types)", checkRefCycle},
	{"WAIVER-UNUSED", Error, "every waiver in the config matches a finding", nil},
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func checkOASValid(s *Spec, r *Reporter) {
	if s.Src.Root == nil {
		line := 1
		if m := yamlLine.FindStringSubmatch(s.LoadErr.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		r.out = append(r.out, Diagnostic{File: s.File, Line: line, Column: 1, Rule: r.rule.ID, Severity: r.rule.Severity,
			Message: "does not parse: " + s.LoadErr.Error(), Pointer: "#"})
		return
	}
	if v := s.Src.Value("#/openapi"); v == nil || v.Value != "3.0.3" {
		r.At("#/openapi", "openapi must be 3.0.3")
	}
	if s.LoadErr != nil {
		r.At("#", "not a valid OpenAPI 3.0 document: %v", s.LoadErr)
	}
}

// violations judges v against the schema with kin-openapi (every error) and the x- rules.
// Each is a path (tokens into v) and a message.
func violations(schema *openapi3.SchemaRef, v any) (paths [][]string, msgs []string) {
	v = normalize(v)
	if err := schema.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		for _, e := range flatten(err) {
			var se *openapi3.SchemaError
			if errors.As(e, &se) {
				p := se.JSONPointer()
				paths = append(paths, p)
				msgs = append(msgs, fmt.Sprintf("%s: %s: %s", dotted(p), se.SchemaField, se.Reason))
				continue
			}
			paths, msgs = append(paths, nil), append(msgs, e.Error())
		}
	}
	for _, x := range derive.CheckX(schema.Value, v) {
		at, _, _ := strings.Cut(x, ": ")
		paths, msgs = append(paths, splitPath(at)), append(msgs, x)
	}
	return paths, msgs
}

func flatten(err error) []error {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []error
		for _, e := range me {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// dotted renders path tokens as the generated validators do: "a.b[0].c", "$" for the root.
func dotted(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		if _, err := strconv.Atoi(t); err == nil {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	if b.Len() == 0 {
		return "$"
	}
	return b.String()
}

var pathStep = regexp.MustCompile(`[^.\[\]]+`)

func splitPath(p string) []string {
	if p == "$" {
		return nil
	}
	return pathStep.FindAllString(p, -1)
}

func checkExampleValid(s *Spec, r *Reporter) {
	for _, ex := range examples(s.Doc) {
		if ex.Schema == nil || ex.Schema.Value == nil || s.Ledger.Breaks(ex.Ref) {
			continue
		}
		paths, msgs := violations(ex.Schema, ex.Value)
		for i := range msgs {
			hint := ""
			if strings.Contains(ex.Ref, "/request/") {
				hint = " (a request example that breaks a kept rule needs a ledger check with valid: false)"
			}
			r.At(Ptr(ex.Ptr, paths[i]...), "example %s: %s%s", ex.Ref, msgs[i], hint)
		}
	}
}

func checkLedgerExample(s *Spec, r *Reporter) {
	if s.Ledger == nil {
		return
	}
	byRef := map[string]example{}
	for _, ex := range examples(s.Doc) {
		byRef[ex.Ref] = ex
	}
	for i, e := range s.Ledger.Entries {
		for j, c := range e.Checks {
			if c.Example == "" {
				continue
			}
			at := Ptr("#", itoa(i), "checks", itoa(j))
			ex, ok := byRef[c.Example]
			switch {
			case !ok:
				r.In(s.Ledger.Src, at, "%s: no example %s in %s", e.ID, c.Example, s.File)
			case !c.Valid || c.Warns:
				if _, msgs := violations(ex.Schema, ex.Value); len(msgs) == 0 {
					r.In(s.Ledger.Src, at, "%s: records %s as breaking a rule (valid: false or warns: true), but it validates", e.ID, c.Example)
				}
			}
		}
	}
}

// checkAdvisoryLedger ties advisory rules to the ledger both ways: every advisory rule names an
// entry graded advisory, and every such entry downgrades at least one rule.
func checkAdvisoryLedger(s *Spec, r *Reporter) {
	used := map[string]bool{}
	schemas(s.Doc, func(site schemaSite) {
		if site.Schema.Ref != "" || site.Schema.Value == nil {
			return
		}
		for _, id := range xrules.Of(site.Schema.Value).Ledgers() {
			used[id] = true
			if e, _, ok := s.Ledger.Entry(id); !ok {
				r.At(site.Ptr, "an advisory rule names ledger entry %s, which %s does not have", id, ledgerFile(s))
			} else if e.Grade != "advisory" {
				r.At(site.Ptr, "an advisory rule names ledger entry %s, which is not graded advisory (grade: advisory)", id)
			}
		}
	})
	if s.Ledger == nil {
		return
	}
	for i, e := range s.Ledger.Entries {
		if e.Grade != "" && e.Grade != "advisory" {
			r.In(s.Ledger.Src, Ptr("#", itoa(i), "grade"), "%s: grade %q is not one (advisory)", e.ID, e.Grade)
		}
		if e.Grade == "advisory" && !used[e.ID] {
			r.In(s.Ledger.Src, Ptr("#", itoa(i)), "%s: graded advisory, but no rule of %s names it (x-advisory, or advisory: on a rule)", e.ID, s.File)
		}
	}
}

func ledgerFile(s *Spec) string {
	if s.Ledger == nil {
		return "the ledger (none given)"
	}
	return s.Ledger.Src.File
}

func checkLedgerLocation(s *Spec, r *Reporter) {
	if s.Ledger == nil {
		return
	}
	for i, e := range s.Ledger.Entries {
		if len(e.Locations) == 0 {
			r.In(s.Ledger.Src, Ptr("#", itoa(i)), "%s: no location", e.ID)
		}
		for j, loc := range e.Locations {
			if !strings.HasPrefix(loc, "#/") || !s.Src.Exists(loc) {
				r.In(s.Ledger.Src, Ptr("#", itoa(i), "locations", itoa(j)), "%s: location %s does not exist in %s", e.ID, loc, s.File)
			}
		}
	}
}

func checkOpFields(s *Spec, r *Reporter) {
	seen := map[string]string{}
	operations(s.Doc, func(op opSite) {
		o := op.Op
		switch prev, dup := seen[o.OperationID]; {
		case o.OperationID == "":
			r.At(Ptr(op.Ptr, "operationId"), "%s %s has no operationId", op.Method, op.Path)
		case dup:
			r.At(Ptr(op.Ptr, "operationId"), "operationId %s is also used at %s", o.OperationID, prev)
		default:
			seen[o.OperationID] = op.Method + " " + op.Path
		}
		if strings.TrimSpace(o.Summary) == "" {
			r.At(Ptr(op.Ptr, "summary"), "%s has no summary", o.OperationID)
		}
		if len(o.Tags) == 0 {
			r.At(Ptr(op.Ptr, "tags"), "%s has no tags", o.OperationID)
		}
		sec := s.Doc.Security
		if o.Security != nil {
			sec = *o.Security
		}
		if len(sec) == 0 {
			r.At(Ptr(op.Ptr, "security"), "%s has no security requirement", o.OperationID)
		}
	})
}

var errorCodes = []string{"400", "401", "403", "404", "500"}

func checkOpResponses(s *Spec, r *Reporter) {
	operations(s.Doc, func(op opSite) {
		rs := map[string]*openapi3.ResponseRef{}
		if op.Op.Responses != nil {
			rs = op.Op.Responses.Map()
		}
		ok2xx := slices.ContainsFunc(sortedKeys(rs), func(c string) bool { return strings.HasPrefix(c, "2") })
		if !ok2xx {
			r.At(Ptr(op.Ptr, "responses", "2XX"), "%s documents no 2xx response", op.Op.OperationID)
		}
		for _, c := range errorCodes {
			if rs[c] == nil {
				r.At(Ptr(op.Ptr, "responses", c), "%s does not document the %s response", op.Op.OperationID, c)
			}
		}
	})
}

func checkErrorBody(s *Spec, r *Reporter) {
	const ref = "#/components/schemas/ErrorResponse"
	if er := componentSchemas(s.Doc)["ErrorResponse"]; er != nil && er.Value != nil {
		for _, p := range []string{"error_code", "error_msg"} {
			if er.Value.Properties[p] == nil {
				r.At(Ptr(ref, "properties", p), "ErrorResponse has no %s property", p)
			}
		}
	}
	operations(s.Doc, func(op opSite) {
		if op.Op.Responses == nil {
			return
		}
		rs := op.Op.Responses.Map()
		for _, code := range sortedKeys(rs) {
			if !strings.HasPrefix(code, "4") && !strings.HasPrefix(code, "5") {
				continue
			}
			at := Ptr(op.Ptr, "responses", code)
			var mt *openapi3.MediaType
			if v := rs[code].Value; v != nil {
				mt = v.Content.Get("application/json")
			}
			switch {
			case mt == nil:
				r.At(at, "%s %s: no application/json error body", op.Op.OperationID, code)
			case mt.Schema == nil || mt.Schema.Ref != ref:
				r.At(Ptr(at, "content", "application/json", "schema"), "%s %s: the error body is not $ref %s", op.Op.OperationID, code, ref)
			case len(mt.Examples) == 0 && mt.Example == nil:
				r.At(Ptr(at, "content", "application/json"), "%s %s: the error body has no example", op.Op.OperationID, code)
			}
		}
	})
}

func checkPropDescription(s *Spec, r *Reporter) {
	schemas(s.Doc, func(site schemaSite) {
		if site.Name != "" && site.Schema.Value != nil && strings.TrimSpace(site.Schema.Value.Description) == "" {
			r.At(site.Ptr, "property %s has no description", site.Name)
		}
	})
}

func isType(s *openapi3.Schema, t string) bool { return s.Type != nil && s.Type.Is(t) }

func checkStringMaxLength(s *Spec, r *Reporter) {
	schemas(s.Doc, func(site schemaSite) {
		v := site.Schema.Value
		if site.Schema.Ref != "" || v == nil || !isType(v, "string") || v.MaxLength != nil || len(v.Enum) > 0 || v.Extensions[xrules.EnumCI] != nil {
			return
		}
		r.At(site.Ptr, "string %s has no maxLength", orName(site))
	})
}

func orName(site schemaSite) string {
	if site.Name != "" {
		return site.Name
	}
	return site.Ptr
}

// docRange finds a numeric range in a description: "ranges from 1 to 100", "Range: 1-100",
// "1 to 100"; lengths ("3 to 255 characters") are not value ranges.
var docRange = regexp.MustCompile(`(?i)(?:range:\s*(-?\d+)\s*-\s*(-?\d+)|\b(-?\d+) to (-?\d+))(\s*(?:characters|chars|bytes|items|digits|letters))?`)

func checkIntRange(s *Spec, r *Reporter) {
	schemas(s.Doc, func(site schemaSite) {
		v := site.Schema.Value
		if site.Schema.Ref != "" || v == nil || !(isType(v, "integer") || isType(v, "string")) || len(v.Enum) > 0 {
			return
		}
		if v.Min != nil || v.Max != nil || v.Extensions[xrules.IntegerString] != nil || v.Extensions[xrules.EnumCI] != nil {
			return
		}
		for _, m := range docRange.FindAllStringSubmatch(v.Description, -1) {
			if m[5] == "" {
				r.At(site.Ptr, "%s documents the range %q but has no minimum/maximum (or x-integer-string)", orName(site), strings.TrimSpace(m[0]))
				return
			}
		}
	})
}

func checkUnusedComponent(s *Spec, r *Reporter) {
	kinds := []string{"schemas", "parameters", "responses", "examples", "requestBodies", "headers"}
	// refs made by each component, and by everything outside components (the roots).
	roots := map[string]bool{}
	for ref := range s.Src.Refs("#/paths") {
		roots[ref] = true
	}
	queue := sortedKeys(roots)
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		for next := range s.Src.Refs(ref) {
			if !roots[next] {
				roots[next] = true
				queue = append(queue, next)
			}
		}
	}
	for _, kind := range kinds {
		n := s.Src.Value(Ptr("#/components", kind))
		if n == nil {
			continue
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			ptr := Ptr("#/components", kind, n.Content[i].Value)
			if !roots[ptr] {
				r.At(ptr, "%s is not used by any operation", strings.TrimPrefix(ptr, "#/"))
			}
		}
	}
}

func checkRefCycle(s *Spec, r *Reporter) {
	names := sortedKeys(componentSchemas(s.Doc))
	state := map[string]int{} // 0 new, 1 on the stack, 2 done
	var stack []string
	var visit func(ptr string)
	visit = func(ptr string) {
		state[ptr] = 1
		stack = append(stack, ptr)
		refs := s.Src.Refs(ptr)
		for _, next := range sortedKeys(refs) {
			if !strings.HasPrefix(next, "#/components/schemas/") {
				continue
			}
			switch state[next] {
			case 0:
				visit(next)
			case 1:
				i := slices.Index(stack, next)
				cycle := append(slices.Clone(stack[i:]), next)
				for k := range cycle {
					cycle[k] = strings.TrimPrefix(cycle[k], "#/components/schemas/")
				}
				r.At(refs[next][0], "$ref cycle %s", strings.Join(cycle, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		state[ptr] = 2
	}
	for _, n := range names {
		if p := Ptr("#/components/schemas", n); state[p] == 0 {
			visit(p)
		}
	}
}

func componentSchemas(doc *openapi3.T) openapi3.Schemas {
	if doc.Components == nil {
		return nil
	}
	return doc.Components.Schemas
}
