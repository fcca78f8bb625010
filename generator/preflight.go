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
	pre := jen.Qual(valPkg, "Preflight")
	ctxT := jen.Qual("context", "Context")
	reqT := jen.Op("*").Qual("net/http", "Request")
	f.Comment("RequestValidationOption tunes WithRequestValidation.")
	f.Type().Id("RequestValidationOption").Func().Params(jen.Op("*").Add(pre))
	f.Comment("WithStrictDocs makes the client refuse a body that breaks an advisory rule too: a rule the")
	f.Comment("reference pages state but the service is known not to enforce (see the ledger entry each")
	f.Comment("violation names). Without it such a body is sent, and its violations go to the warning")
	f.Comment("handler.")
	f.Func().Id("WithStrictDocs").Params().Id("RequestValidationOption").Block(
		jen.Return(jen.Func().Params(jen.Id("p").Op("*").Add(pre)).Block(jen.Id("p").Dot("Strict").Op("=").True())),
	)
	f.Comment("WithWarningHandler sends the advisory violations of each request that goes out to fn instead")
	f.Comment("of the default, validation.LogWarnings (slog at warn level). A nil fn drops them.")
	f.Func().Id("WithWarningHandler").Params(jen.Id("fn").Func().Params(ctxT, reqT, jen.Qual(valPkg, "Errors"))).Id("RequestValidationOption").Block(
		jen.Return(jen.Func().Params(jen.Id("p").Op("*").Add(pre)).Block(jen.Id("p").Dot("Warn").Op("=").Id("fn"))),
	)
	f.Comment("WithRequestValidation is a client option that checks every JSON request body against the spec")
	f.Comment("before it is sent. A body that breaks an enforced rule is not sent: the call returns")
	f.Comment("validation.Errors, listing every violation with its path. A body that breaks only advisory")
	f.Comment("rules is sent, and those violations go to the warning handler (see WithStrictDocs).")
	f.Func().Id("WithRequestValidation").Params(jen.Id("opts").Op("...").Id("RequestValidationOption")).Id("ClientOption").Block(
		jen.Id("p").Op(":=").Add(pre).Values(jen.Dict{jen.Id("Warn"): jen.Qual(valPkg, "LogWarnings")}),
		jen.For(jen.List(jen.Id("_"), jen.Id("o")).Op(":=").Range().Id("opts")).Block(jen.Id("o").Call(jen.Op("&").Id("p"))),
		jen.Return(jen.Id("WithRequestEditorFn").Call(jen.Func().Params(jen.Id("ctx").Add(ctxT), jen.Id("req").Add(reqT)).Error().Block(
			jen.Return(jen.Id("validateRequest").Call(jen.Id("ctx"), jen.Id("req"), jen.Id("p"))),
		))),
	)
	f.Comment("NewValidatingClientWithResponses is NewClientWithResponses with WithRequestValidation: the client")
	f.Comment("validates request bodies before sending them. Use NewClientWithResponses to send them unchecked.")
	f.Func().Id("NewValidatingClientWithResponses").Params(jen.Id("server").String(), jen.Id("opts").Op("...").Id("ClientOption")).
		Params(jen.Op("*").Id("ClientWithResponses"), jen.Error()).Block(
		jen.Return(jen.Id("NewClientWithResponses").Call(jen.Id("server"), jen.Append(jen.Index().Id("ClientOption").Values(jen.Id("WithRequestValidation").Call()), jen.Id("opts").Op("...")).Op("..."))),
	)
	f.Func().Id("validateRequest").Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("req").Op("*").Qual("net/http", "Request"), jen.Id("p").Add(pre)).Error().Block(
		jen.If(jen.Id("req").Dot("GetBody").Op("==").Nil()).Block(jen.Return(jen.Nil())),
		jen.For(jen.List(jen.Id("_"), jen.Id("rb")).Op(":=").Range().Id("requestBodies")).Block(
			jen.If(jen.Id("rb").Dot("method").Op("!=").Id("req").Dot("Method").Op("||").Op("!").Id("rb").Dot("path").Dot("MatchString").Call(jen.Id("req").Dot("URL").Dot("Path"))).Block(jen.Continue()),
			jen.List(jen.Id("body"), jen.Err()).Op(":=").Id("req").Dot("GetBody").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Defer().Id("body").Dot("Close").Call(),
			jen.List(jen.Id("data"), jen.Err()).Op(":=").Qual("io", "ReadAll").Call(jen.Id("body")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.List(jen.Id("warnings"), jen.Err()).Op(":=").Qual(valPkg, "DecodeRequest").Call(jen.Id("data"), jen.Id("rb").Dot("body").Call()),
			jen.Return(jen.Id("p").Dot("Judge").Call(jen.Id("ctx"), jen.Id("req"), jen.Id("warnings"), jen.Err())),
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
