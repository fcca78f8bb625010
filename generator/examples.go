package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"sort"
	"strings"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

// clientExample is one operation the runnable client examples call.
type clientExample struct {
	ID, Method, Path string
	Args             []string // Go literals of the path parameters, then nil for a params struct
	BodyType, Body   string   // the request body's type and documented example, if any
	Status           int      // the documented success status
	Response         string   // its documented example; empty when the stand-in answers with the request body (Echo) or nothing
	Echo             bool     // the spec documents no answer: the stand-in answers with the request body and the path's id
	BodyOf           string   // the operation whose documented request example Body is, when not this one
	ResponseOf       string   // the operation whose documented response example Response is, when not this one
	HasName          bool     // the success body has a name member
}

// listExample is a paged list the examples walk with its iterator.
type listExample struct {
	ID, Array, Size string   // the operation, the answer's array member and the page-size field
	Args            []string // Go literals of the path parameters
	Items           []string // the stand-in's items
	Names           []string // their names, the expected output
}

var clientExampleTemplate = template.Must(template.New("client").Funcs(template.FuncMap{
	"lower": func(s string) string { return strings.ToLower(s[:1]) + s[1:] },
}).Parse(`{{.Header}}package {{.Package}}_test

import (
	"context"
{{- if .Echo}}
	"encoding/json"
{{- end}}
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
{{- if .Echo}}
	"path"
{{- end}}
{{- if .Lists}}
	"strconv"
	"strings"
{{- end}}
	"time"

	"{{.APIClient}}"
	"{{.Import}}"
	"{{.Sign}}"
)

// service stands in for the cloud service in these examples: it checks the token, or the AK/SK
// signature as the service does, and answers with a documented response example.
func service(status int, body string) *httptest.Server {
	return serviceFunc(func(*http.Request, []byte) (int, string) { return status, body })
}

// serviceFunc is service with the answer computed from the request.
func serviceFunc(answer func(r *http.Request, body []byte) (int, string)) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "0c5c3b2ad4b04cbd9e63e1b5f0e1e1a1")
		if r.Header.Get("X-Auth-Token") != "my-token" {
			if _, err := sign.Verify(r, data, time.Now(), func(ak string) (string, bool) { return "my-secret-key", ak == "MYACCESSKEY" }); err != nil {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, ` + "`" + `{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}` + "`" + `)
				return
			}
		}
		status, body := answer(r, data)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
}
{{- if .Echo}}

// echo answers with the request's definition and the id the path names, for the operations
// whose answers the spec documents no example of.
func echo(status int) func(*http.Request, []byte) (int, string) {
	return func(r *http.Request, body []byte) (int, string) {
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			return http.StatusBadRequest, ` + "`" + `{"error_code":"APIG.2012","error_msg":"Invalid parameter"}` + "`" + `
		}
		doc["id"] = path.Base(r.URL.Path)
		out, _ := json.Marshal(doc)
		return status, string(out)
	}
}
{{- end}}
{{- if .Lists}}

// pages answers a list request with the items its offset and limit, or page_no and
// page_size, ask for (20 by default), in the array member named array, with the total.
func pages(array string, items []string) func(*http.Request, []byte) (int, string) {
	return func(r *http.Request, _ []byte) (int, string) {
		q := r.URL.Query()
		first, size := 0, 20
		for _, name := range []string{"limit", "page_size"} {
			if v, err := strconv.Atoi(q.Get(name)); err == nil {
				size = v
			}
		}
		if v, err := strconv.Atoi(q.Get("offset")); err == nil {
			first = v
		}
		if v, err := strconv.Atoi(q.Get("page_no")); err == nil {
			first = (v - 1) * size
		}
		first = min(max(first, 0), len(items))
		page := items[first:min(first+size, len(items))]
		return http.StatusOK, fmt.Sprintf(` + "`" + `{"total":%d,"size":%d,%q:[%s]}` + "`" + `, len(items), len(page), array, strings.Join(page, ","))
	}
}
{{- end}}
{{range .Examples}}{{$op := .}}{{range $auth := $.Auths}}
// {{$op.ID}} {{if eq $auth "token"}}with an IAM token{{else}}signed with AK/SK{{end}}.
func ExampleClientWithResponses_{{$op.ID}}WithResponse_{{$auth}}() {
{{- if $op.Echo}}
	// The spec documents no answer: the stand-in answers with the definition sent.
	svc := serviceFunc(echo({{$op.Status}}))
{{- else}}
	svc := service({{$op.Status}}, {{if $op.Response}}{{lower $op.ID}}Response{{else}}""{{end}})
{{- end}}
	defer svc.Close()

	c, err := {{$.Package}}.New(svc.URL, {{if eq $auth "token"}}apiclient.WithToken("my-token"){{else}}apiclient.WithAKSK("MYACCESSKEY", "my-secret-key", "my-project-id"){{end}})
	if err != nil {
		panic(err)
	}
{{- if $op.BodyType}}
	var body {{$.Package}}.{{$op.BodyType}}
	if err := body.DecodeJSON([]byte({{lower $op.ID}}Request)); err != nil {
		panic(err)
	}
{{- end}}
	resp, err := c.{{$op.ID}}WithResponse(context.Background(){{range $op.Args}}, {{.}}{{end}}{{if $op.BodyType}}, body{{end}})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode(){{if $op.HasName}}, *resp.JSON{{$op.Status}}.Name{{end}})
	// Output: {{$op.Status}}{{if $op.HasName}} {{$op.ResponseName}}{{end}}
}
{{end}}{{end}}
{{- range .Lists}}{{$op := .}}{{range $auth := $.Auths}}
// {{$op.ID}}All walks every page of {{$op.ID}} ({{if eq $auth "token"}}with an IAM token{{else}}signed with AK/SK{{end}}): it asks
// for the next page only when the loop needs it, and stops at the first error.
func ExampleClientWithResponses_{{$op.ID}}All_{{$auth}}() {
	svc := serviceFunc(pages({{printf "%q" $op.Array}}, {{lower $op.ID}}Items))
	defer svc.Close()

	c, err := {{$.Package}}.New(svc.URL, {{if eq $auth "token"}}apiclient.WithToken("my-token"){{else}}apiclient.WithAKSK("MYACCESSKEY", "my-secret-key", "my-project-id"){{end}})
	if err != nil {
		panic(err)
	}
	params := &{{$.Package}}.{{$op.ID}}Params{ {{- $op.Size}}: new(int32(2))}
	for api, err := range c.{{$op.ID}}All(context.Background(){{range $op.Args}}, {{.}}{{end}}, params) {
		if err != nil {
			panic(err)
		}
		fmt.Println(*api.Name)
	}
	// Output:
{{- range $op.Names}}
	// {{.}}
{{- end}}
}
{{end}}{{end}}
// Every non-2xx answer is an *{{.Package}}.Error, with the status, the vendor's error_code and
// error_msg, and the request id to quote to support.
func ExampleError() {
	svc := service(http.StatusOK, "{}")
	defer svc.Close()

	c, err := {{.Package}}.New(svc.URL, apiclient.WithAKSK("MYACCESSKEY", "a-wrong-secret-key", "my-project-id"))
	if err != nil {
		panic(err)
	}
{{- with index .Examples 0}}
{{- if .BodyType}}
	var body {{$.Package}}.{{.BodyType}}
	if err := body.DecodeJSON([]byte({{lower .ID}}Request)); err != nil {
		panic(err)
	}
{{- end}}
	_, err = c.{{.ID}}WithResponse(context.Background(){{range .Args}}, {{.}}{{end}}{{if .BodyType}}, body{{end}})
{{- end}}
	var e *{{.Package}}.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Code, e.RequestID)
	}
	// Output: 401 APIG.0301 0c5c3b2ad4b04cbd9e63e1b5f0e1e1a1
}

// The documented examples the examples send and answer with.
const (
{{- range .Examples}}
{{- if .BodyOf}}
	{{lower .ID}}Request = {{lower .BodyOf}}Request // the update sends a definition as the create does
{{- else if .BodyType}}
	{{lower .ID}}Request = {{printf "%q" .Body}}
{{- end}}
{{- if .ResponseOf}}
	{{lower .ID}}Response = {{lower .ResponseOf}}Response // a show answers with what the create did
{{- else if .Response}}
	{{lower .ID}}Response = {{printf "%q" .Response}}
{{- end}}
{{- end}}
)
{{- if .Lists}}

// The stand-in's APIs, named after the documented create example.
var (
{{- range .Lists}}
	{{lower .ID}}Items = []string{
{{- range .Items}}
		{{printf "%q" .}},
{{- end}}
	}
{{- end}}
)
{{- end}}
`))

// generateClientExamples writes example_client_test.go: runnable examples of New with a token
// and with AK/SK for the create (the first operation with a documented request example), the
// first GET with a documented answer (a show), the update (PUT), the delete and the paged lists,
// answered by a stand-in service. The stand-in answers with the documented response examples;
// where the spec documents none, it answers a show with the create's documented answer, an
// update with the definition sent and a list with pages of APIs named after the create example.
func generateClientExamples(doc *openapi3.T, c Config, create *exampleDoc) ([]byte, error) {
	var picked []clientExample
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	var get, undocumentedGet, update, del *clientExample
	for _, p := range paths {
		item := doc.Paths.Value(p)
		for _, m := range []string{"POST", "GET", "PUT", "DELETE"} {
			op := item.GetOperation(m)
			if op == nil {
				continue
			}
			isCreate := create != nil && op.OperationID == create.Operation
			ex, documented := newClientExample(op, m, p)
			switch {
			case isCreate && documented:
				ex.BodyType, ex.Body = create.Type, create.JSON
				picked = append([]clientExample{ex}, picked...)
			case m == "GET" && get == nil && documented:
				get = &ex
			case m == "GET" && undocumentedGet == nil && strings.HasSuffix(p, "}") && ex.Status != 0:
				undocumentedGet = &ex
			case m == "PUT" && update == nil && create != nil && ex.Status != 0:
				ex.BodyType = requestBodyType(op)
				if ex.BodyType == "" {
					continue
				}
				// The update takes the definition the create does.
				ex.Body, ex.BodyOf = create.JSON, create.Operation
				if mt := op.RequestBody.Value.Content.Get("application/json"); len(mt.Examples) > 0 {
					_, data, err := firstExample(mt)
					if err != nil {
						return nil, err
					}
					ex.Body, ex.BodyOf = string(data), ""
				}
				ex.Echo = !documented
				update = &ex
			case m == "DELETE" && del == nil && ex.Status != 0 && ex.Response == "":
				del = &ex
			}
		}
	}
	// Without a documented show answer, the stand-in answers a show with the document the
	// documented create answered with: a show returns what the create did.
	if get == nil && undocumentedGet != nil && len(picked) > 0 && picked[0].Response != "" {
		undocumentedGet.Response, undocumentedGet.ResponseOf = picked[0].Response, picked[0].ID
		get = undocumentedGet
	}
	for _, e := range []*clientExample{get, update, del} {
		if e != nil {
			picked = append(picked, *e)
		}
	}
	if len(picked) == 0 {
		return nil, nil
	}
	type row struct {
		clientExample
		ResponseName string
	}
	var rows []row
	echo := false
	for _, e := range picked {
		r := row{clientExample: e}
		if e.HasName {
			answer := e.Response
			if e.Echo {
				answer, echo = e.Body, true
			}
			var v struct{ Name string }
			_ = json.Unmarshal([]byte(answer), &v)
			r.ResponseName = v.Name
		}
		rows = append(rows, r)
	}
	lists, err := listExamples(doc, create)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := clientExampleTemplate.Execute(&buf, map[string]any{
		"Header": Header, "Package": c.Codegen.PackageName, "Import": c.module + "/" + c.Output,
		"APIClient": c.module + "/" + ClientRuntimePackage, "Sign": c.module + "/generated/sign",
		"Examples": rows, "Auths": []string{"token", "aksk"}, "Echo": echo, "Lists": lists,
	}); err != nil {
		return nil, err
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("example_client_test.go: %w\n%s", err, buf.Bytes())
	}
	return src, nil
}

// listExamples describes the paged lists, with three stand-in items named after the
// documented create example (pages of two in the examples, so the iterator asks twice).
func listExamples(doc *openapi3.T, create *exampleDoc) ([]listExample, error) {
	if create == nil {
		return nil, nil
	}
	var name struct{ Name string }
	if err := json.Unmarshal([]byte(create.JSON), &name); err != nil || name.Name == "" {
		return nil, nil
	}
	lists, err := findPagedLists(doc)
	if err != nil {
		return nil, err
	}
	var out []listExample
	for _, l := range lists {
		ex, _ := newClientExample(l.op, "GET", l.path)
		le := listExample{ID: l.id, Array: l.array, Size: l.size}
		for _, a := range ex.Args {
			if a != "nil" {
				le.Args = append(le.Args, a)
			}
		}
		for i := 1; i <= 3; i++ {
			n := fmt.Sprintf("%s_%d", name.Name, i)
			item, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("%032x", i), "name": n})
			le.Items = append(le.Items, string(item))
			le.Names = append(le.Names, n)
		}
		out = append(out, le)
	}
	return out, nil
}

// requestBodyType is the Go type of op's JSON request body, if it names a component.
func requestBodyType(op *openapi3.Operation) string {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return ""
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Ref == "" {
		return ""
	}
	return codegen.SchemaNameToTypeName(codegen.RefPathToObjName(mt.Schema.Ref))
}

// newClientExample describes op; documented reports whether it has a documented JSON success
// example (Status is then its status; otherwise the first success status, 0 if none).
func newClientExample(op *openapi3.Operation, method, path string) (ex clientExample, documented bool) {
	ex = clientExample{ID: op.OperationID, Method: method, Path: path}
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			ex.Args = append(ex.Args, fmt.Sprintf("%q", "my-"+strings.ReplaceAll(strings.Trim(seg, "{}"), "_", "-")))
		}
	}
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In != "path" {
			ex.Args = append(ex.Args, "nil")
			break
		}
	}
	codes := make([]string, 0)
	for code := range op.Responses.Map() {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if !strings.HasPrefix(code, "2") {
			continue
		}
		r := op.Responses.Value(code)
		if r == nil || r.Value == nil {
			continue
		}
		if ex.Status == 0 {
			fmt.Sscan(code, &ex.Status)
		}
		mt := r.Value.Content.Get("application/json")
		if mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
			if n := mt.Schema.Value.Properties["name"]; n != nil && n.Value != nil && n.Value.Type.Is("string") {
				ex.HasName = true
			}
		}
		if mt == nil || len(mt.Examples) == 0 {
			continue
		}
		_, data, err := firstExample(mt)
		if err != nil {
			return ex, false
		}
		ex.Status = 0
		fmt.Sscan(code, &ex.Status)
		ex.Response = string(data)
		return ex, true
	}
	return ex, false
}
