package generator

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"

	"golang.org/x/tools/go/ast/astutil"
)

// subPackageDocs is the package comment of each sub-package; %[1]s is the sub-package's name,
// %[2]s the client package's.
var subPackageDocs = map[string]string{
	ServerSuffix: `// Package %[1]s is the echo strict-server side of package %[2]s: StrictServerInterface is
// what a server implements, and RegisterHandlers(e, NewStrictHandler(impl, nil)) mounts it on an
// echo router. The request and response bodies are %[2]s's models. It lives apart from the
// client so that programs that only call the API do not link echo.
`,
	SpecSuffix: `// Package %[1]s holds the spec package %[2]s was generated from: GetSpec returns it parsed by
// kin-openapi, and LedgerYAML is its ledger of documentation discrepancies. It lives apart
// from the client so that programs that only call the API do not link kin-openapi.
`,
}

// moveToSubPackage turns code that oapi-codegen wrote for the client package into package pkg:
// every identifier that names a declaration of types (the client package's models, at
// import path clientPath) is qualified with clientName, and doc becomes the package comment.
func moveToSubPackage(code, pkg, clientPath, clientName string, types []byte, doc string) ([]byte, error) {
	declared, err := topLevelNames(types)
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", code, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	own := map[string]bool{}
	for n := range declaredIn(f) {
		own[n] = true
	}
	used := false
	astutil.Apply(f, func(c *astutil.Cursor) bool {
		id, ok := c.Node().(*ast.Ident)
		if !ok || !declared[id.Name] || own[id.Name] || !isReference(c) {
			return true
		}
		c.Replace(&ast.SelectorExpr{X: ast.NewIdent(clientName), Sel: ast.NewIdent(id.Name)})
		used = true
		return true
	}, nil)
	if used {
		astutil.AddImport(fset, f, clientPath)
	}
	f.Name.Name = pkg
	f.Doc = nil
	// oapi-codegen's header comment (its version) is dropped; the file gets ours.
	f.Comments = dropLeading(f.Comments, f.Package)
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return nil, err
	}
	out := append([]byte(Header+fmt.Sprintf(doc, pkg, clientName)), buf.Bytes()...)
	return format.Source(out)
}

// isReference reports whether the identifier at c names something (as opposed to declaring a
// name, selecting a field or method, or keying a struct literal).
func isReference(c *astutil.Cursor) bool {
	switch p := c.Parent().(type) {
	case *ast.SelectorExpr:
		return c.Name() != "Sel"
	case *ast.Field:
		return c.Name() != "Names"
	case *ast.KeyValueExpr:
		return c.Name() != "Key"
	case *ast.TypeSpec:
		return c.Name() != "Name"
	case *ast.FuncDecl:
		return c.Name() != "Name"
	case *ast.ValueSpec:
		return c.Name() != "Names"
	case *ast.AssignStmt:
		return p.Tok != token.DEFINE || c.Name() != "Lhs"
	}
	return true
}

func topLevelNames(src []byte) (map[string]bool, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	return declaredIn(f), nil
}

// declaredIn lists the package-level names f declares (methods are not package-level).
func declaredIn(f *ast.File) map[string]bool {
	names := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				names[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names[n.Name] = true
					}
				}
			}
		}
	}
	return names
}

// dropLeading removes the comment groups before the package clause.
func dropLeading(groups []*ast.CommentGroup, pkg token.Pos) []*ast.CommentGroup {
	var out []*ast.CommentGroup
	for _, g := range groups {
		if g.End() > pkg {
			out = append(out, g)
		}
	}
	return out
}
