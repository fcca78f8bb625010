package generator

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

// pagedList is a list operation the iterators walk: a GET whose query pages by offset/limit or
// by page_no/page_size and whose 200 JSON answer carries total and one array of items.
type pagedList struct {
	id          string
	offset      bool   // offset/limit; otherwise page_no/page_size
	start, size string // the Go fields of the position (Offset or PageNo) and the page size
	sizeDefault int64  // the page size's documented default
	items       string // the Go field of the items array
	itemType    string // the items' Go type
	array       string // the items array's JSON name
	op          *openapi3.Operation
	path        string
	args        []*ast.Field // the path parameters, from client.gen.go
}

// findPagedLists finds the paged list operations of doc.
func findPagedLists(doc *openapi3.T) ([]pagedList, error) {
	var out []pagedList
	for path, item := range doc.Paths.Map() {
		op := item.Get
		if op == nil {
			continue
		}
		query := map[string]*openapi3.Parameter{}
		for _, p := range op.Parameters {
			if p.Value != nil && p.Value.In == "query" {
				query[p.Value.Name] = p.Value
			}
		}
		var pl pagedList
		var sizeParam *openapi3.Parameter
		switch {
		case query["offset"] != nil && query["limit"] != nil:
			pl.offset, pl.start, pl.size, sizeParam = true, "Offset", "Limit", query["limit"]
		case query["page_no"] != nil && query["page_size"] != nil:
			pl.start, pl.size, sizeParam = "PageNo", "PageSize", query["page_size"]
		default:
			continue
		}
		if op.Responses == nil || op.Responses.Value("200") == nil || op.Responses.Value("200").Value == nil {
			continue
		}
		mt := op.Responses.Value("200").Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		props := mt.Schema.Value.Properties
		if props["total"] == nil {
			continue
		}
		var arrays []string
		for name, s := range props {
			if s.Value != nil && s.Value.Type.Is("array") && s.Value.Items != nil && s.Value.Items.Ref != "" {
				arrays = append(arrays, name)
			}
		}
		if len(arrays) != 1 {
			return nil, fmt.Errorf("%s pages but its answer has %d arrays of items, not one", op.OperationID, len(arrays))
		}
		pl.id, pl.op, pl.path, pl.array = op.OperationID, op, path, arrays[0]
		pl.items = codegen.SchemaNameToTypeName(arrays[0])
		pl.itemType = codegen.SchemaNameToTypeName(codegen.RefPathToObjName(props[arrays[0]].Value.Items.Ref))
		if sizeParam.Schema != nil && sizeParam.Schema.Value != nil {
			if d, ok := sizeParam.Schema.Value.Default.(float64); ok {
				pl.sizeDefault = int64(d)
			}
		}
		if !pl.offset && pl.sizeDefault <= 0 {
			return nil, fmt.Errorf("%s pages by page number but page_size documents no positive default", op.OperationID)
		}
		out = append(out, pl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// withResponseParams maps each ClientWithResponses method to its parameters between the
// context and the params struct: the path parameters.
func withResponseParams(client []byte) (map[string][]*ast.Field, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "client.gen.go", client, 0)
	if err != nil {
		return nil, err
	}
	out := map[string][]*ast.Field{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || !strings.HasSuffix(fn.Name.Name, "WithResponse") {
			continue
		}
		if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); !ok || fmt.Sprint(star.X) != "ClientWithResponses" {
			continue
		}
		var path []*ast.Field
		for _, p := range fn.Type.Params.List[1:] {
			if _, ok := p.Type.(*ast.StarExpr); ok { // the params struct
				break
			}
			if _, ok := p.Type.(*ast.Ellipsis); ok {
				break
			}
			path = append(path, p)
		}
		out[fn.Name.Name] = path
	}
	return out, nil
}

// generatePages writes pages.gen.go: for each paged list operation, an <Op>All method that
// returns an iterator over the items of every page.
func generatePages(doc *openapi3.T, c Config, client []byte) ([]byte, error) {
	lists, err := findPagedLists(doc)
	if err != nil || len(lists) == 0 {
		return nil, err
	}
	// client.gen.go's <Op>WithResponse methods give the path parameters' Go names and types.
	methods, err := withResponseParams(client)
	if err != nil {
		return nil, err
	}
	for i, l := range lists {
		args, ok := methods[l.id+"WithResponse"]
		if !ok {
			return nil, fmt.Errorf("%s: client.gen.go has no %sWithResponse", l.id, l.id)
		}
		lists[i].args = args
	}
	apiclientPkg := c.module + "/" + ClientRuntimePackage
	f := jen.NewFile(c.Codegen.PackageName)
	f.ImportName(apiclientPkg, "apiclient")
	for _, l := range lists {
		var params, args []jen.Code
		params = append(params, jen.Id("ctx").Qual("context", "Context"))
		args = append(args, jen.Id("ctx"))
		for _, a := range l.args {
			var t bytes.Buffer
			_ = printer.Fprint(&t, token.NewFileSet(), a.Type)
			for _, n := range a.Names {
				params = append(params, jen.Id(n.Name).Id(t.String()))
				args = append(args, jen.Id(n.Name))
			}
		}
		params = append(params, jen.Id("params").Op("*").Id(l.id+"Params"), jen.Id("reqEditors").Op("...").Id("RequestEditorFn"))
		args = append(args, jen.Op("&").Id("p"), jen.Id("reqEditors").Op("..."))
		item := jen.Id(l.itemType)
		fail := func(e jen.Code) jen.Code {
			return jen.Block(jen.Id("yield").Call(jen.Id(l.itemType).Values(), e), jen.Return())
		}

		var setup, advance []jen.Code
		var doc []string
		if l.offset {
			doc = []string{
				fmt.Sprintf("%sAll returns an iterator over the %s of every page of %s, from params.%s", l.id, strings.ToLower(l.items), l.id, l.start),
				fmt.Sprintf("on (pages of params.%s items, the service's default when nil). It asks for the next", l.size),
				"page as the loop needs it, at the offset after the items received so far.",
			}
			setup = []jen.Code{
				jen.Var().Id("pos").Int64(),
				jen.If(jen.Id("p").Dot(l.start).Op("!=").Nil().Op("&&").Op("*").Id("p").Dot(l.start).Op(">").Lit(0)).Block(jen.Id("pos").Op("=").Op("*").Id("p").Dot(l.start)),
			}
			advance = []jen.Code{
				jen.Id("pos").Op("+=").Int64().Call(jen.Len(jen.Id("items"))),
				jen.Id("done").Op(":=").Id("pos").Op(">=").Id("total"),
			}
		} else {
			doc = []string{
				fmt.Sprintf("%sAll returns an iterator over the %s of every page of %s, from page params.%s", l.id, strings.ToLower(l.items), l.id, l.start),
				fmt.Sprintf("on (pages of params.%s items, %d when nil). It asks for the next page as the loop", l.size, l.sizeDefault),
				fmt.Sprintf("needs it. A %s of 0 or less asks for everything in one page.", l.size),
			}
			setup = []jen.Code{
				jen.Id("no").Op(":=").Int32().Call(jen.Lit(1)),
				jen.If(jen.Id("p").Dot(l.start).Op("!=").Nil().Op("&&").Op("*").Id("p").Dot(l.start).Op(">").Lit(1)).Block(jen.Id("no").Op("=").Op("*").Id("p").Dot(l.start)),
				jen.Id("size").Op(":=").Int32().Call(jen.Lit(int(l.sizeDefault))),
				jen.If(jen.Id("p").Dot(l.size).Op("!=").Nil()).Block(jen.Id("size").Op("=").Op("*").Id("p").Dot(l.size)),
				jen.Id("p").Dot(l.size).Op("=").Op("&").Id("size"),
				jen.Comment("seen counts the items up to the end of the last page by what arrived, so a"),
				jen.Comment("page size the service lowers ends no list early."),
				jen.Id("seen").Op(":=").Int64().Call(jen.Id("no").Op("-").Lit(1)).Op("*").Int64().Call(jen.Id("size")),
			}
			advance = []jen.Code{
				jen.Id("seen").Op("+=").Int64().Call(jen.Len(jen.Id("items"))),
				jen.Id("done").Op(":=").Id("size").Op("<=").Lit(0).Op("||").Id("seen").Op(">=").Id("total"),
				jen.Id("no").Op("++"),
			}
		}
		pos := "pos"
		if !l.offset {
			pos = "no"
		}
		doc = append(doc,
			"",
			"The iteration stops at the first error, which it yields once with a zero item: the call's",
			"error (with New, a non-2xx answer is an *Error), an *Error for a non-2xx answer of a client",
			"made otherwise, or ctx.Err() once ctx is done. It ends without error when the items reach",
			"the total the last page reported, or at a page with no items, even if the total said more",
			"(items deleted while paging). Breaking out of the loop stops it; no request is left open.",
		)
		for _, line := range doc {
			f.Comment(line)
		}
		body := []jen.Code{
			jen.Var().Id("p").Id(l.id + "Params"),
			jen.If(jen.Id("params").Op("!=").Nil()).Block(jen.Id("p").Op("=").Op("*").Id("params")),
		}
		body = append(body, setup...)
		loop := []jen.Code{
			jen.If(jen.Err().Op(":=").Id("ctx").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Add(fail(jen.Err())),
			jen.Id("at").Op(":=").Id(pos),
			jen.Id("p").Dot(l.start).Op("=").Op("&").Id("at"),
			jen.List(jen.Id("resp"), jen.Err()).Op(":=").Id("c").Dot(l.id + "WithResponse").Call(args...),
			jen.If(jen.Err().Op("!=").Nil()).Add(fail(jen.Err())),
			jen.If(jen.Id("resp").Dot("JSON200").Op("==").Nil()).Add(fail(jen.Qual(apiclientPkg, "ResponseError").Call(jen.Id("resp").Dot("HTTPResponse"), jen.Id("resp").Dot("Body")))),
			jen.Var().Id("items").Index().Add(item),
			jen.If(jen.Id("resp").Dot("JSON200").Dot(l.items).Op("!=").Nil()).Block(jen.Id("items").Op("=").Op("*").Id("resp").Dot("JSON200").Dot(l.items)),
			jen.For(jen.List(jen.Id("_"), jen.Id("it")).Op(":=").Range().Id("items")).Block(
				jen.If(jen.Op("!").Id("yield").Call(jen.Id("it"), jen.Nil())).Block(jen.Return()),
			),
			jen.Comment("Without a total, only an empty page ends the list."),
			jen.Id("total").Op(":=").Int64().Call(jen.Qual("math", "MaxInt64")),
			jen.If(jen.Id("resp").Dot("JSON200").Dot("Total").Op("!=").Nil()).Block(jen.Id("total").Op("=").Int64().Call(jen.Op("*").Id("resp").Dot("JSON200").Dot("Total"))),
		}
		loop = append(loop, advance...)
		loop = append(loop, jen.If(jen.Id("done").Op("||").Len(jen.Id("items")).Op("==").Lit(0)).Block(jen.Return()))
		body = append(body, jen.For().Block(loop...))
		f.Func().Params(jen.Id("c").Op("*").Id("ClientWithResponses")).Id(l.id+"All").Params(params...).
			Qual("iter", "Seq2").Types(item, jen.Error()).Block(
			jen.Return(jen.Func().Params(jen.Id("yield").Func().Params(item, jen.Error()).Bool()).Block(body...)),
		)
	}
	var buf bytes.Buffer
	buf.WriteString(Header)
	if err := f.Render(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
