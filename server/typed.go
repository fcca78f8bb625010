package server

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/spec/xrules"
)

// A create or update builds its answer from the typed request the generated decoder filled,
// without passing through map[string]any: the spec's generic parts (defaults, x-coerce,
// x-enum-ci) are compiled once per request schema into a plan over the generated Go type,
// the request is carried into the response type, whose members are exactly what the response
// schema describes (so unknown and read-only members cannot get in), and the members the
// service adds are set on the typed response by their JSON names.

// shape is the plan of one object schema over the Go struct generated from it.
type shape struct {
	members []memberPlan
}

// memberPlan is what the spec says about one property: its default, whether an out-of-range
// value is replaced by it (x-coerce), its canonical enum spellings (x-enum-ci), the defaults
// of an optional object created when absent, and the plan of the object (or of the array
// items) it holds.
type memberPlan struct {
	index     int
	def       reflect.Value // the default, of the field's type; invalid when there is none
	coerce    *openapi3.Schema
	enumCI    []string
	objDef    reflect.Value // a filled struct (the field's element type) to create when absent
	child     *shape
	childList bool
}

// compileShape returns the plan of s over the struct type t. It panics when t does not fit s
// (the generated types and the embedded spec come from one spec, so that is a build defect).
func compileShape(s *openapi3.Schema, t reflect.Type) *shape {
	sh := &shape{}
	fields := jsonFields(t)
	for name, p := range s.Properties {
		if p.Value == nil {
			continue
		}
		i, ok := fields[name]
		if !ok {
			panic(fmt.Sprintf("server: %s has no member %s", t, name))
		}
		ft := t.Field(i).Type
		m := memberPlan{index: i}
		pv := p.Value
		if pv.Default != nil {
			m.def = jsonValue(pv.Default, ft)
			if xrules.Of(pv).Coerce != nil {
				m.coerce = pv
			}
		}
		m.enumCI = xrules.Of(pv).EnumCI
		if defaults := objectDefaults(pv); defaults != nil {
			m.objDef = jsonValue(defaults, deref(ft))
		}
		switch et := deref(ft); {
		case et.Kind() == reflect.Struct && len(pv.OneOf) == 0 && len(pv.Properties) > 0:
			m.child = compileShape(pv, et)
		case et.Kind() == reflect.Slice && pv.Items != nil && pv.Items.Value != nil && len(pv.Items.Value.Properties) > 0:
			if it := deref(et.Elem()); it.Kind() == reflect.Struct {
				m.child, m.childList = compileShape(pv.Items.Value, it), true
			}
		case len(pv.OneOf) > 0:
			// A oneOf is a union type in Go, opaque to a plan: it must have nothing to apply.
			for _, br := range pv.OneOf {
				if br.Value != nil && hasRules(br.Value, 0) {
					panic(fmt.Sprintf("server: %s.%s is a oneOf with defaults or enum spellings inside", t, name))
				}
			}
		}
		if m.def.IsValid() || m.coerce != nil || len(m.enumCI) > 0 || m.objDef.IsValid() || m.child != nil && len(m.child.members) > 0 {
			sh.members = append(sh.members, m)
		}
	}
	return sh
}

// hasRules reports whether a schema holds, at any depth, something a plan would apply.
func hasRules(s *openapi3.Schema, depth int) bool {
	if depth > 16 {
		return false
	}
	if s.Default != nil || len(xrules.Of(s).EnumCI) > 0 {
		return true
	}
	for _, p := range s.Properties {
		if p.Value != nil && hasRules(p.Value, depth+1) {
			return true
		}
	}
	return s.Items != nil && s.Items.Value != nil && hasRules(s.Items.Value, depth+1)
}

// apply canonicalizes the x-enum-ci values of v, replaces the x-coerce values out of range
// and fills in the defaults of absent members, at every depth. v is a struct value that can
// be set.
func (sh *shape) apply(v reflect.Value) {
	for i := range sh.members {
		m := &sh.members[i]
		f := v.Field(m.index)
		if f.Kind() == reflect.Pointer && f.IsNil() {
			switch {
			case m.def.IsValid():
				f.Set(fresh(m.def))
			case m.objDef.IsValid():
				p := reflect.New(m.objDef.Type())
				p.Elem().Set(m.objDef)
				f.Set(p)
			default:
				continue
			}
		} else if m.coerce != nil && outOfRange(m.coerce, number(f)) {
			f.Set(fresh(m.def))
		}
		e := reflect.Indirect(f)
		if len(m.enumCI) > 0 && e.Kind() == reflect.String {
			for _, c := range m.enumCI {
				if strings.EqualFold(c, e.String()) {
					e.SetString(c)
				}
			}
		}
		if m.child == nil {
			continue
		}
		if !m.childList {
			m.child.apply(e)
			continue
		}
		for j := 0; j < e.Len(); j++ {
			if x := reflect.Indirect(e.Index(j)); x.IsValid() {
				m.child.apply(x)
			}
		}
	}
}

// fresh returns a copy of v: a pointer is not shared between documents.
func fresh(v reflect.Value) reflect.Value {
	if v.Kind() != reflect.Pointer {
		return v
	}
	p := reflect.New(v.Type().Elem())
	p.Elem().Set(v.Elem())
	return p
}

// number returns the value of a numeric field as JSON decodes it, or nil.
func number(f reflect.Value) any {
	f = reflect.Indirect(f)
	switch f.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(f.Int())
	case reflect.Float32, reflect.Float64:
		return f.Float()
	}
	return nil
}

// jsonValue converts a value of the spec (as YAML/JSON decodes it) into a value of type t.
func jsonValue(v any, t reflect.Type) reflect.Value {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	p := reflect.New(t)
	if err := json.Unmarshal(data, p.Interface()); err != nil {
		panic(fmt.Sprintf("server: the spec's value %s does not fit %s: %v", data, t, err))
	}
	return p.Elem()
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

var fieldIndexes sync.Map // reflect.Type -> map[string]int

// jsonFields maps the JSON member names of a struct type to its field indexes.
func jsonFields(t reflect.Type) map[string]int {
	if m, ok := fieldIndexes.Load(t); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	fieldIndexes.Store(t, m)
	return m
}

// node is an object of a typed document, reached by JSON member names; a node of a nil
// pointer is absent and reads as empty.
type node struct{ v reflect.Value }

func nodeOf(ptr any) node { return node{reflect.ValueOf(ptr).Elem()} }

func (n node) ok() bool { return n.v.IsValid() }

// field returns a member's field; invalid when the node is absent or its type has no such
// member (a read finds nothing there, as in a document without it).
func (n node) field(name string) reflect.Value {
	if !n.ok() {
		return reflect.Value{}
	}
	i, ok := jsonFields(n.v.Type())[name]
	if !ok {
		return reflect.Value{}
	}
	return n.v.Field(i)
}

// has reports whether the member is present.
func (n node) has(name string) bool {
	f := n.field(name)
	return f.IsValid() && (f.Kind() != reflect.Pointer || !f.IsNil())
}

// str returns a string member, or "".
func (n node) str(name string) string {
	if f := reflect.Indirect(n.field(name)); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

// object returns an object member, absent when it is.
func (n node) object(name string) node {
	f := reflect.Indirect(n.field(name))
	if !f.IsValid() || f.Kind() != reflect.Struct {
		return node{}
	}
	return node{f}
}

// objects returns the objects of an array member.
func (n node) objects(name string) []node {
	f := reflect.Indirect(n.field(name))
	if !f.IsValid() || f.Kind() != reflect.Slice {
		return nil
	}
	out := make([]node, 0, f.Len())
	for i := 0; i < f.Len(); i++ {
		if x := reflect.Indirect(f.Index(i)); x.IsValid() && x.Kind() == reflect.Struct {
			out = append(out, node{x})
		}
	}
	return out
}

// set sets a member to v (a string, an int, or a value of the member's type); an absent
// node ignores it.
func (n node) set(name string, v any) {
	if !n.ok() {
		return
	}
	f := n.field(name)
	if !f.IsValid() {
		panic(fmt.Sprintf("server: %s has no member %s", n.v.Type(), name))
	}
	t := f.Type()
	if t.Kind() == reflect.Pointer {
		p := reflect.New(t.Elem())
		f.Set(p)
		f, t = p.Elem(), t.Elem()
	}
	x := reflect.ValueOf(v)
	switch {
	case x.Type().AssignableTo(t):
		f.Set(x)
	case x.Kind() == reflect.String && t.Kind() == reflect.String:
		f.SetString(x.String())
	case x.Kind() == reflect.Int && f.CanInt():
		f.SetInt(x.Int())
	default:
		panic(fmt.Sprintf("server: cannot set %s (%s) to %T", name, t, v))
	}
}

// clear removes a member.
func (n node) clear(name string) {
	if f := n.field(name); f.IsValid() {
		f.SetZero()
	}
}

// carry moves the members of a request into a response value of another generated type: the
// members both describe pass, the others (unknown or read-only in the response) do not.
func carry(from any, to any) error {
	data, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, to)
}

// answer encodes a response the emulator built and checks it with the generated validators:
// a response that breaks the spec fails the request with APIG.9999 rather than answering with
// something the docs do not describe.
func answer(schema string, v validation.Validator) ([]byte, error) {
	if err := validation.Validate(v); err != nil {
		return nil, fmt.Errorf("server: the %s it built breaks the spec: %w", schema, err)
	}
	return json.Marshal(v)
}
