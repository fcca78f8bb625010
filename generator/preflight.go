package generator

import (
	"bytes"
	"regexp"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

// generatePreflight writes preflight.gen.go: a client option that validates every JSON request
// body with the generated validators before the request leaves, and a constructor that uses it.
// It works as a request editor, so it needs no knowledge of oapi-codegen's method signatures:
// it finds the operation by method and path and decodes the encoded body strictly.
func generatePreflight(doc *openapi3.T, c Config) ([]byte, error) {
	valPkg := c.module + "/" + RuntimePackage
	type op struct{ method, pattern, body, id string }
	var ops []op
	for path, item := range doc.Paths.Map() {
		for method, o := range item.Operations() {
			if o.RequestBody == nil || o.RequestBody.Value == nil {
				continue
			}
			mt := o.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Ref == "" {
				continue
			}
			// Path parameters match one segment; the server URL may add a prefix.
			segs := strings.Split(path, "/")
			for i, seg := range segs {
				if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
					segs[i] = `[^/]+`
				} else {
					segs[i] = regexp.QuoteMeta(seg)
				}
			}
			ops = append(ops, op{method, strings.Join(segs, "/") + "$", codegen.SchemaNameToTypeName(codegen.RefPathToObjName(mt.Schema.Ref)), o.OperationID})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].id < ops[j].id })
	f := jen.NewFile(c.Codegen.PackageName)
	f.ImportName(valPkg, "validation")
	var rows []jen.Code
	for _, o := range ops {
		rows = append(rows, jen.Values(jen.Dict{
			jen.Id("method"): jen.Lit(strings.ToUpper(o.method)),
			jen.Id("path"):   jen.Qual("regexp", "MustCompile").Call(jen.Lit(o.pattern)),
			jen.Id("body"):   jen.Func().Params().Qual(valPkg, "Type").Block(jen.Return(jen.New(jen.Id(o.body)))),
		}))
	}
	f.Comment("requestBodies maps each operation with a JSON body to its generated body type.")
	f.Var().Id("requestBodies").Op("=").Index().Struct(
		jen.Id("method").String(),
		jen.Id("path").Op("*").Qual("regexp", "Regexp"),
		jen.Id("body").Func().Params().Qual(valPkg, "Type"),
	).Values(rows...)
	f.Comment("WithRequestValidation is a client option that checks every JSON request body against the spec")
	f.Comment("before it is sent: the call returns validation.Errors, listing every violation with its")
	f.Comment("path, and nothing reaches the server.")
	f.Func().Id("WithRequestValidation").Params().Id("ClientOption").Block(
		jen.Return(jen.Id("WithRequestEditorFn").Call(jen.Id("validateRequest"))),
	)
	f.Comment("NewValidatingClientWithResponses is NewClientWithResponses with WithRequestValidation: the client")
	f.Comment("validates request bodies before sending them. Use NewClientWithResponses to send them unchecked.")
	f.Func().Id("NewValidatingClientWithResponses").Params(jen.Id("server").String(), jen.Id("opts").Op("...").Id("ClientOption")).
		Params(jen.Op("*").Id("ClientWithResponses"), jen.Error()).Block(
		jen.Return(jen.Id("NewClientWithResponses").Call(jen.Id("server"), jen.Append(jen.Index().Id("ClientOption").Values(jen.Id("WithRequestValidation").Call()), jen.Id("opts").Op("...")).Op("..."))),
	)
	f.Func().Id("validateRequest").Params(jen.Id("_").Qual("context", "Context"), jen.Id("req").Op("*").Qual("net/http", "Request")).Error().Block(
		jen.If(jen.Id("req").Dot("GetBody").Op("==").Nil()).Block(jen.Return(jen.Nil())),
		jen.For(jen.List(jen.Id("_"), jen.Id("rb")).Op(":=").Range().Id("requestBodies")).Block(
			jen.If(jen.Id("rb").Dot("method").Op("!=").Id("req").Dot("Method").Op("||").Op("!").Id("rb").Dot("path").Dot("MatchString").Call(jen.Id("req").Dot("URL").Dot("Path"))).Block(jen.Continue()),
			jen.List(jen.Id("body"), jen.Err()).Op(":=").Id("req").Dot("GetBody").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Defer().Id("body").Dot("Close").Call(),
			jen.List(jen.Id("data"), jen.Err()).Op(":=").Qual("io", "ReadAll").Call(jen.Id("body")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Return(jen.Qual(valPkg, "DecodeJSON").Call(jen.Id("data"), jen.Id("rb").Dot("body").Call())),
		),
		jen.Return(jen.Nil()),
	)
	var buf bytes.Buffer
	buf.WriteString(Header)
	if err := f.Render(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
