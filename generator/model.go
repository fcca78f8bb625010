package generator

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

// kind is the Go shape of a value, as the validator and decoder generators need it.
type kind int

const (
	kString kind = iota
	kInt
	kFloat
	kBool
	kStruct
	kArray
	kUnion
	kAny
	kMap // a map of members (an object without properties): checked inline, like an array
)

// value describes one Go value: its type as oapi-codegen declares it and the schema whose
// constraints apply to it.
type value struct {
	kind    kind
	goType  string // the Go type without pointer: "string", "ApiCreateReqMethod", "[]Param"
	bits    int    // for kInt: 0 (int), 32 or 64
	elem    *value // for kArray and kMap (nil for a kMap whose additionalProperties is false)
	ptrElem bool   // for kArray: the items are nullable, so the Go items are pointers
	schema  *openapi3.Schema
	where   string // a spec location, for error messages
}

// field is one property of a struct.
type field struct {
	json     string
	goName   string
	pointer  bool // the Go field is a pointer (optional or nullable)
	required bool
	nullable bool
	val      value
}

// object is one struct type generated from a component schema.
type object struct {
	name    string // component name
	goName  string
	schema  *openapi3.Schema
	fields  []field
	members // additionalProperties
}

// union is one oneOf type that oapi-codegen declared for a property.
type union struct {
	goName    string
	branches  []value // the oneOf branches, when each has a Go shape of its own
	where     string
	schema    *openapi3.Schema
	component string // the component name of a component that is itself a oneOf or anyOf
}

// model is everything the validator generator needs from one spec.
type model struct {
	objects    []object
	unions     []union
	seenInline map[string]bool // inline object types already in objects
}

// buildModel reads the component schemas through oapi-codegen's own type mapping, so that
// field names and types are exactly the ones it generated. It relies on oapi-codegen's package
// state from the Generate call that just produced the models of the same document.
func buildModel(doc *openapi3.T) (*model, error) {
	m := &model{}
	seenUnion := map[string]bool{}
	names := make([]string, 0, len(doc.Components.Schemas))
	for name := range doc.Components.Schemas {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		sref := doc.Components.Schemas[name]
		gs, err := codegen.GenerateGoSchema(sref, []string{name})
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		where := "#/components/schemas/" + name
		if len(gs.UnionElements) > 0 {
			u, err := toUnion(codegen.SchemaNameToTypeName(name), gs, where)
			if err != nil {
				return nil, err
			}
			u.component = name
			seenUnion[u.goName] = true
			m.unions = append(m.unions, u)
			continue
		}
		s := sref.Value
		if !s.Type.Is("object") && len(s.Properties) == 0 && len(gs.Properties) == 0 || inlineMap(gs) {
			// Primitive, array and map-alias components are checked where they are used.
			continue
		}
		o, err := newObject(name, codegen.SchemaNameToTypeName(name), gs, where)
		if err != nil {
			return nil, err
		}
		m.objects = append(m.objects, o)
		if err := m.inlineObjects(gs, where); err != nil {
			return nil, err
		}
		for _, at := range gs.AdditionalTypes {
			if len(at.Schema.UnionElements) == 0 || seenUnion[at.TypeName] {
				continue
			}
			seenUnion[at.TypeName] = true
			u, err := toUnion(at.TypeName, at.Schema, usedAt(o, at.TypeName, where))
			if err != nil {
				return nil, err
			}
			m.unions = append(m.unions, u)
		}
	}
	unionRefs(m)
	return m, nil
}

// newObject reads one struct type (or named map type) from oapi-codegen's schema of it.
func newObject(name, goName string, gs codegen.Schema, where string) (object, error) {
	o := object{name: name, goName: goName, schema: gs.OAPISchema}
	if err := typelessObject(o.schema, where); err != nil {
		return o, err
	}
	var err error
	if o.members, err = membersOf(gs, where); err != nil {
		return o, err
	}
	for _, p := range gs.Properties {
		fw := where + "/properties/" + p.JsonFieldName
		v, err := toValue(p.Schema, fw)
		if err != nil {
			return o, err
		}
		o.fields = append(o.fields, field{
			json:     p.JsonFieldName,
			goName:   p.GoFieldName(),
			pointer:  p.IsPointer(),
			required: p.Required,
			nullable: p.Nullable,
			val:      v,
		})
	}
	if len(o.fields) > 64 {
		return o, fmt.Errorf("%s: more than 64 properties", where)
	}
	return o, nil
}

func toUnion(goName string, gs codegen.Schema, where string) (union, error) {
	u := union{goName: goName, where: where, schema: gs.OAPISchema}
	if err := repeatedBranch(gs, goName, where); err != nil {
		return u, err
	}
	for i, br := range gs.OAPISchema.OneOf {
		bs, err := codegen.GenerateGoSchema(br, []string{goName, fmt.Sprint(i)})
		if err != nil {
			return u, err
		}
		v, err := toValue(bs, fmt.Sprintf("%s/oneOf/%d", where, i))
		if err == nil && v.kind == kStruct && br.Ref == "" {
			// An inline object branch: oapi-codegen names its struct after the property, not
			// after this union, so it has no decoder this code can name.
			err = fmt.Errorf("%s/oneOf/%d: an inline object branch", where, i)
		}
		if err != nil {
			// No Go shape of its own (an inline object): the walker checks the branches.
			u.branches = nil
			return u, nil
		}
		u.branches = append(u.branches, v)
	}
	return u, nil
}

// toValue maps an oapi-codegen schema to the shape the generators need.
func toValue(gs codegen.Schema, where string) (value, error) {
	goType := gs.TypeDecl()
	gs = hoisted(gs)
	s := gs.OAPISchema
	v := value{goType: goType, schema: s, where: where}
	if s == nil {
		v.kind = kAny
		return v, nil
	}
	switch {
	case len(gs.UnionElements) > 0:
		v.kind = kUnion
	case gs.ArrayType != nil:
		elem, err := toValue(*gs.ArrayType, where+"/items")
		if err != nil {
			return v, err
		}
		v.kind, v.elem = kArray, &elem
		v.ptrElem = strings.HasPrefix(strings.TrimPrefix(v.goType, "[]"), "*")
	case isMapSchema(s):
		return mapValue(gs, v)
	case s.Type.Is("object") || len(s.Properties) > 0:
		if err := typelessObject(s, where); err != nil {
			return v, err
		}
		if strings.HasPrefix(v.goType, "struct") || strings.HasPrefix(v.goType, "map[") {
			return v, fmt.Errorf("%s: an inline object; make it a component schema and use $ref", where)
		}
		v.kind = kStruct
	case s.Type.Is("string"):
		v.kind = kString
	case s.Type.Is("integer"):
		v.kind = kInt
		switch s.Format {
		case "int32":
			v.bits = 32
		case "int64":
			v.bits = 64
		}
	case s.Type.Is("number"):
		v.kind = kFloat
	case s.Type.Is("boolean"):
		v.kind = kBool
	default:
		v.kind = kAny
		v = allOfValue(gs, v)
	}
	return v, nil
}

// literal renders an extension value (a YAML scalar) as the string the generated code compares.
func literal(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(int64(x))
	case bool:
		return fmt.Sprint(x)
	}
	return fmt.Sprint(v)
}
