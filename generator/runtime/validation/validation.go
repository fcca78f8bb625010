// Package validation is the small runtime that generated validators and decoders call.
//
// A Path names a place in a JSON document. Path nodes live on the caller's stack and are
// rendered to a string only when a violation is recorded, so checking a valid document
// allocates nothing for paths. The root path of a document that DecodeJSON decodes also names
// its decoder, by which the decode functions find the document's allocator (see docOf).
package validation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/go-faster/jx"
)

// Path is one step of a JSON path: an object key or an array index below a parent.
type Path struct {
	parent *Path
	key    string
	index  int
	// dec is set on the root of a document that Decode decodes: its decoder, the first field
	// of the decodeState that holds the document's allocator.
	dec *jx.Decoder
}

// Key returns the path of the member name below p (p may be nil, the document root).
func (p *Path) Key(name string) Path { return Path{parent: p, key: name, index: -1} }

// Index returns the path of array element i below p.
func (p *Path) Index(i int) Path { return Path{parent: p, index: i} }

// String renders the path as `backend_api.timeout` or `req_params[0].name`; the root is "".
func (p *Path) String() string {
	var buf [64]byte
	return string(p.appendTo(buf[:0]))
}

// appendTo renders p after its parents. It stores no pointer, so paths never leave the
// caller's stack.
func (p *Path) appendTo(b []byte) []byte {
	if p == nil {
		return b
	}
	b = p.parent.appendTo(b)
	if p.index >= 0 {
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(p.index), 10)
		return append(b, ']')
	}
	if len(b) > 0 {
		b = append(b, '.')
	}
	return append(b, p.key...)
}

// Rule names. Schema keywords keep their OpenAPI names; extension rules keep their `x-` names.
const (
	RuleRequired  = "required"
	RuleType      = "type"
	RuleNullable  = "nullable"
	RuleMinLength = "minLength"
	RuleMaxLength = "maxLength"
	RuleMinimum   = "minimum"
	RuleMaximum   = "maximum"
	RuleEnum      = "enum"
	RulePattern   = "pattern"
	RuleMinItems  = "minItems"
	RuleMaxItems  = "maxItems"
	RuleOneOf     = "oneOf"

	RuleRequiredIf      = "x-required-if"
	RuleForbiddenIf     = "x-forbidden-if"
	RuleForbiddenValues = "x-forbidden-values"
	RuleForbiddenChars  = "x-forbidden-chars"
	RuleIntegerString   = "x-integer-string"
	RuleEnumCI          = "x-enum-ci"
	RulePrefixTag       = "x-prefix-tag"
	RulePathParams      = "x-path-params"
	RuleReferences      = "x-references"
)

// Violation is one broken rule at one place.
type Violation struct {
	Path    string `json:"path"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// Ledger is set on the violation of an advisory rule: a rule the reference pages state
	// but the service is known not to enforce. It names the ledger entry with the evidence.
	Ledger string `json:"ledger,omitempty"`
	// dir, when set, limits the violation to documents travelling that way (readOnly members
	// break requests only, writeOnly members responses only): see AddFor.
	dir Direction
}

// Advisory reports whether v breaks an advisory rule: a warning, not an error.
func (v Violation) Advisory() bool { return v.Ledger != "" }

// Errors lists every violation found in a document; it is the error that Validate and
// DecodeJSON return.
type Errors []Violation

func (e Errors) Error() string {
	var b strings.Builder
	for i, v := range e {
		if i > 0 {
			b.WriteString("; ")
		}
		if v.Path != "" {
			b.WriteString(v.Path)
			b.WriteString(": ")
		}
		b.WriteString(v.Message)
	}
	return b.String()
}

// Err returns nil when there is no violation, and e otherwise.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// Add records a violation of rule at p.
func (e *Errors) Add(p *Path, rule, msg string) {
	*e = append(*e, Violation{Path: p.String(), Rule: rule, Message: msg})
}

// AddAdvisory records a violation of rule at p as advisory, naming the ledger entry.
func (e *Errors) AddAdvisory(p *Path, rule, ledger, msg string) {
	*e = append(*e, Violation{Path: p.String(), Rule: rule, Message: msg, Ledger: ledger})
}

// Advise records the violations in w as advisory, each naming the ledger entry. Generated
// code checks an advisory rule into a local list w, so that every rule function serves both
// grades.
func (e *Errors) Advise(w Errors, ledger string) {
	for _, v := range w {
		v.Ledger = ledger
		*e = append(*e, v)
	}
}

// Enforced reports whether e holds a violation of an enforced rule.
func (e Errors) Enforced() bool {
	for _, v := range e {
		if !v.Advisory() {
			return true
		}
	}
	return false
}

// Split separates the violations of enforced rules (errs) from those of advisory rules
// (warnings), keeping their order.
func (e Errors) Split() (errs, warnings Errors) {
	for _, v := range e {
		if v.Advisory() {
			warnings = append(warnings, v)
		} else {
			errs = append(errs, v)
		}
	}
	return errs, warnings
}

// AsErrors returns the violations carried by err, if it is (or wraps) an Errors.
func AsErrors(err error) (Errors, bool) {
	var e Errors
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Structural reports whether the rule is about the shape of the document (a missing member,
// a wrong JSON type, a null) rather than about a value.
func Structural(rule string) bool {
	return rule == RuleRequired || rule == RuleType || rule == RuleNullable
}

// Settle drops the violations that only repeat an earlier one. A member with the wrong JSON
// type (or a null) decodes to its zero value, so nothing at or below it is worth reporting, not
// even its own absence; a missing member likewise decodes to its zero value, whose value rules
// would only repeat the first report. Exact duplicates go too, and the order is made stable by
// path so that reports are deterministic.
func (e Errors) Settle() Errors {
	if len(e) == 0 {
		return e
	}
	var mistyped, missing []string
	for _, v := range e {
		switch v.Rule {
		case RuleType, RuleNullable:
			mistyped = append(mistyped, v.Path)
		case RuleRequired:
			missing = append(missing, v.Path)
		}
	}
	out := e[:0:0]
	seen := make(map[Violation]bool, len(e))
	for _, v := range e {
		drop := seen[v]
		switch v.Rule {
		case RuleType, RuleNullable:
		case RuleRequired:
			drop = drop || under(v.Path, mistyped)
		default:
			drop = drop || under(v.Path, mistyped) || under(v.Path, missing)
		}
		if drop {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(a, b Violation) int { return strings.Compare(a.Path, b.Path) })
	return out
}

func under(path string, roots []string) bool {
	for _, r := range roots {
		if path == r || r == "" || strings.HasPrefix(path, r+".") || strings.HasPrefix(path, r+"[") {
			return true
		}
	}
	return false
}

// Length returns the length of s in characters (Unicode code points), as JSON Schema counts.
func Length(s string) int { return utf8.RuneCountInString(s) }

// String checks minLength and maxLength (a negative bound is absent).
func String(e *Errors, p *Path, s string, min, max int) {
	if min < 0 && max < 0 {
		return
	}
	n := Length(s)
	if min >= 0 && n < min {
		e.Add(p, RuleMinLength, "length must be at least "+strconv.Itoa(min)+" characters, got "+strconv.Itoa(n))
	}
	if max >= 0 && n > max {
		e.Add(p, RuleMaxLength, "length must be at most "+strconv.Itoa(max)+" characters, got "+strconv.Itoa(n))
	}
}

// Pattern checks s with match, the generated matcher of pattern.
func Pattern(e *Errors, p *Path, s string, match func(string) bool, pattern string) {
	if !match(s) {
		e.Add(p, RulePattern, "must match the pattern "+pattern)
	}
}

// Int checks an integer against inclusive bounds; hasMin and hasMax say which apply.
func Int(e *Errors, p *Path, v int64, hasMin bool, min int64, hasMax bool, max int64) {
	if hasMin && v < min {
		e.Add(p, RuleMinimum, "must be at least "+strconv.FormatInt(min, 10)+", got "+strconv.FormatInt(v, 10))
	}
	if hasMax && v > max {
		e.Add(p, RuleMaximum, "must be at most "+strconv.FormatInt(max, 10)+", got "+strconv.FormatInt(v, 10))
	}
}

// Float checks a number against inclusive bounds.
func Float(e *Errors, p *Path, v float64, hasMin bool, min float64, hasMax bool, max float64) {
	if hasMin && v < min {
		e.Add(p, RuleMinimum, "must be at least "+strconv.FormatFloat(min, 'g', -1, 64))
	}
	if hasMax && v > max {
		e.Add(p, RuleMaximum, "must be at most "+strconv.FormatFloat(max, 'g', -1, 64))
	}
}

// Items checks minItems and maxItems (a negative bound is absent).
func Items(e *Errors, p *Path, n, min, max int) {
	if min >= 0 && n < min {
		e.Add(p, RuleMinItems, "must have at least "+strconv.Itoa(min)+" items, got "+strconv.Itoa(n))
	}
	if max >= 0 && n > max {
		e.Add(p, RuleMaxItems, "must have at most "+strconv.Itoa(max)+" items, got "+strconv.Itoa(n))
	}
}

// EnumString checks that s is one of values.
func EnumString(e *Errors, p *Path, s string, values []string) {
	for _, v := range values {
		if s == v {
			return
		}
	}
	e.Add(p, RuleEnum, "must be one of "+strings.Join(values, ", ")+", got "+strconv.Quote(s))
}

// EnumInt checks that v is one of values.
func EnumInt(e *Errors, p *Path, v int64, values []int64) {
	for _, x := range values {
		if v == x {
			return
		}
	}
	parts := make([]string, len(values))
	for i, x := range values {
		parts[i] = strconv.FormatInt(x, 10)
	}
	e.Add(p, RuleEnum, "must be one of "+strings.Join(parts, ", ")+", got "+strconv.FormatInt(v, 10))
}

// Canonical returns the listed value that s equals ignoring case, and whether there is one.
func Canonical(s string, values []string) (string, bool) {
	for _, v := range values {
		if strings.EqualFold(s, v) {
			return v, true
		}
	}
	return "", false
}

// EnumCI checks that s equals one of values, ignoring case (x-enum-ci).
func EnumCI(e *Errors, p *Path, s string, values []string) {
	if _, ok := Canonical(s, values); !ok {
		e.Add(p, RuleEnumCI, "must be one of "+strings.Join(values, ", ")+" (any case), got "+strconv.Quote(s))
	}
}

// ForbiddenChars checks that s contains none of the characters in chars (x-forbidden-chars).
func ForbiddenChars(e *Errors, p *Path, s, chars string) {
	if strings.ContainsAny(s, chars) {
		e.Add(p, RuleForbiddenChars, "must not contain any of "+strconv.Quote(chars))
	}
}

// IntegerString checks that s is a base-10 integer in [min, max] (x-integer-string).
func IntegerString(e *Errors, p *Path, s string, min, max int64) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < min || v > max {
		e.Add(p, RuleIntegerString, "must be an integer from "+strconv.FormatInt(min, 10)+" to "+strconv.FormatInt(max, 10)+", got "+strconv.Quote(s))
	}
}

// PrefixTag checks that at most max items start with prefix (x-prefix-tag).
func PrefixTag(e *Errors, p *Path, items []string, prefix string, max int) {
	n := 0
	for _, s := range items {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	if n > max {
		e.Add(p, RulePrefixTag, "at most "+strconv.Itoa(max)+" items may start with "+strconv.Quote(prefix)+", got "+strconv.Itoa(n))
	}
}

// Match reports whether got is one of values, ignoring case when fold is set. Generated
// conditions of x-required-if, x-forbidden-if and x-forbidden-values use it.
func Match(got string, fold bool, values ...string) bool {
	for _, v := range values {
		if got == v || (fold && strings.EqualFold(got, v)) {
			return true
		}
	}
	return false
}

// PathParams returns the names in braces in uri (`/a/{b}/{c+}` gives b and c), in order.
func PathParams(uri string) []string {
	var names []string
	for name, rest, ok := nextPathParam(uri); ok; name, rest, ok = nextPathParam(rest) {
		if name != "" {
			names = append(names, name)
		}
	}
	return names
}

// nextPathParam returns the first name in braces in uri and what follows it; ok is false when
// there is none.
func nextPathParam(uri string) (name, rest string, ok bool) {
	i := strings.IndexByte(uri, '{')
	if i < 0 {
		return "", "", false
	}
	j := strings.IndexByte(uri[i:], '}')
	if j < 0 {
		return "", "", false
	}
	return strings.TrimSuffix(uri[i+1:i+j], "+"), uri[i+j+1:], true
}

// UndeclaredPathParams checks that every `{name}` in uri is in declared (x-path-params).
func UndeclaredPathParams(e *Errors, p *Path, uri string, declared []string) {
	for name, rest, ok := nextPathParam(uri); ok; name, rest, ok = nextPathParam(rest) {
		if name != "" && !slices.Contains(declared, name) {
			e.Add(p, RulePathParams, "path parameter {"+name+"} is not declared as a PATH request parameter")
		}
	}
}

// Kind returns the JSON type name of the next value, as messages use it.
func Kind(t jx.Type) string {
	switch t {
	case jx.String:
		return "string"
	case jx.Number:
		return "number"
	case jx.Null:
		return "null"
	case jx.Bool:
		return "boolean"
	case jx.Array:
		return "array"
	case jx.Object:
		return "object"
	}
	return "invalid"
}

// Expect checks that the next value has type want. On a mismatch it records a violation (a
// null gets RuleNullable), skips the value and returns false. A syntax error is returned.
func Expect(d *jx.Decoder, e *Errors, p *Path, want jx.Type, wantName string) (bool, error) {
	got := d.Next()
	if got == want {
		return true, nil
	}
	if got == jx.Invalid {
		return false, d.Skip()
	}
	if got == jx.Null {
		e.Add(p, RuleNullable, "must be "+wantName+", got null")
	} else {
		e.Add(p, RuleType, "must be "+wantName+", got "+Kind(got))
	}
	return false, d.Skip()
}

// DecodeInt decodes an integer written as one: plain digits in the int64 range. A fraction or
// an exponent (`1.0`, `1e3`, `1.0000000000000000001`) is a type violation, even where the
// value is integral: the pages type these members Integer, every example writes digits, and a
// float spelling could be read differently by the service (truncated, or refused).
func DecodeInt(d *jx.Decoder, e *Errors, p *Path) (int64, bool, error) {
	ok, err := Expect(d, e, p, jx.Number, "an integer")
	if !ok || err != nil {
		return 0, false, err
	}
	n, err := d.Num()
	if err != nil {
		return 0, false, err
	}
	if v, ok := digits(n); ok {
		return v, true, nil
	}
	if v, err := n.Int64(); err == nil && !strings.ContainsAny(n.String(), ".eE") {
		return v, true, nil
	}
	e.Add(p, RuleType, "must be an integer written without a fraction or exponent, got "+n.String())
	return 0, false, nil
}

// digits parses the common spelling of an integer, an optional minus and at most 18 digits
// (no int64 overflow), without a leading zero; anything else is left to the general path.
func digits(n []byte) (int64, bool) {
	neg := len(n) > 0 && n[0] == '-'
	if neg {
		n = n[1:]
	}
	if len(n) == 0 || len(n) > 18 || (n[0] == '0' && len(n) > 1) {
		return 0, false
	}
	var v int64
	for _, c := range n {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// FitInt checks that v fits a Go integer of bits bits (32 or 64) and records a type
// violation if not.
func FitInt(e *Errors, p *Path, v int64, bits int) bool {
	if bits == 32 && (v < math.MinInt32 || v > math.MaxInt32) {
		e.Add(p, RuleType, "must be a 32-bit integer, got "+strconv.FormatInt(v, 10))
		return false
	}
	return true
}

// DecodeFloat decodes a number.
func DecodeFloat(d *jx.Decoder, e *Errors, p *Path) (float64, bool, error) {
	ok, err := Expect(d, e, p, jx.Number, "a number")
	if !ok || err != nil {
		return 0, false, err
	}
	v, err := d.Float64()
	return v, err == nil, err
}

// DecodeString decodes a string.
func DecodeString(d *jx.Decoder, e *Errors, p *Path) (string, bool, error) {
	ok, err := Expect(d, e, p, jx.String, "a string")
	if !ok || err != nil {
		return "", false, err
	}
	b, err := d.StrBytes()
	if err != nil {
		return "", false, err
	}
	return docOf(d, p).string(b), true, nil
}

// DecodeEnumString decodes a string whose schema lists values. A value spelled exactly as
// listed is returned as the listed string itself, so that the common case allocates nothing.
func DecodeEnumString(d *jx.Decoder, e *Errors, p *Path, values []string) (string, bool, error) {
	ok, err := Expect(d, e, p, jx.String, "a string")
	if !ok || err != nil {
		return "", false, err
	}
	b, err := d.StrBytes()
	if err != nil {
		return "", false, err
	}
	for _, v := range values {
		if string(b) == v {
			return v, true, nil
		}
	}
	return docOf(d, p).string(b), true, nil
}

// DecodeBool decodes a boolean.
func DecodeBool(d *jx.Decoder, e *Errors, p *Path) (bool, bool, error) {
	ok, err := Expect(d, e, p, jx.Bool, "a boolean")
	if !ok || err != nil {
		return false, false, err
	}
	v, err := d.Bool()
	return v, err == nil, err
}

// DecodeAny decodes any JSON value with encoding/json, for schemas without a type.
func DecodeAny(d *jx.Decoder, v any) error {
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Raw returns the next value's bytes, for union types that decode themselves.
func Raw(d *jx.Decoder) ([]byte, error) {
	raw, err := d.Raw()
	if err != nil {
		return nil, err
	}
	return bytes.Clone(raw), nil
}

// IsNull reports whether the next value is null, and consumes it if so.
func IsNull(d *jx.Decoder) (bool, error) {
	if d.Next() != jx.Null {
		return false, nil
	}
	return true, d.Null()
}

// Decoder is what generated types implement to decode themselves strictly: exact member
// names, every structural violation recorded at its path.
type Decoder interface {
	DecodeJX(d *jx.Decoder, p *Path, e *Errors) error
}

// Validator is what generated types implement to check their values.
type Validator interface {
	ValidateAt(p *Path, e *Errors)
}

// Type is a generated type that decodes and validates itself.
type Type interface {
	Decoder
	Validator
}

// SyntaxError is returned for input that is not JSON at all.
type SyntaxError struct{ Err error }

func (s *SyntaxError) Error() string { return "malformed JSON: " + s.Err.Error() }
func (s *SyntaxError) Unwrap() error { return s.Err }

// DecodeJSON decodes data into v strictly and validates it, reporting every violation of an
// enforced rule: missing required members, wrong JSON types and nulls, and every value
// constraint. It returns a *SyntaxError for malformed JSON and Errors for violations. Decode
// also returns the violations of advisory rules.
//
// The decoded values never share memory with data. They are allocated in a few blocks per
// document (see document): keeping any one string or optional member of a document keeps the
// block it is in, at most about a third of the size of data, from being freed.
func DecodeJSON[T interface {
	Decoder
	Validator
}](data []byte, v T) error {
	_, err := Decode(data, v)
	return err
}

// Decode is DecodeJSON that also returns the violations of advisory rules, as warnings. The
// error reports only enforced rules (or malformed JSON).
func Decode[T interface {
	Decoder
	Validator
}](data []byte, v T) (warnings Errors, err error) {
	return decodeAs(AnyDirection, data, v)
}

// decodeAs is Decode for a document travelling in direction dir.
func decodeAs(dir Direction, data []byte, v Type) (warnings Errors, err error) {
	if err := checkText(data); err != nil {
		return nil, &SyntaxError{Err: err}
	}
	st := decodeStates.Get().(*decodeState)
	defer st.release()
	st.d.ResetBytes(data)
	st.doc = document{size: len(data)}
	st.root = Path{index: -1, dec: &st.d}
	if err := v.DecodeJX(&st.d, &st.root, &st.errs); err != nil {
		return nil, &SyntaxError{Err: err}
	}
	// Only white space may follow the document.
	if err := st.d.Skip(); !errors.Is(err, io.EOF) {
		return nil, &SyntaxError{Err: errors.New("unexpected data after the JSON document")}
	}
	v.ValidateAt(nil, &st.errs)
	e := st.errs
	st.errs = nil
	return split(e, dir)
}

// decodeState is what one Decode works with, kept in a pool: the JSON decoder, the root path,
// the violations found and the document's allocator.
type decodeState struct {
	d    jx.Decoder // first: docOf finds the state from it
	root Path
	doc  document
	errs Errors
}

// d is at offset 0 of decodeState (this fails to compile otherwise).
var _ [0]struct{} = [unsafe.Offsetof(decodeState{}.d)]struct{}{}

var decodeStates = sync.Pool{New: func() any { return new(decodeState) }}

// release returns st to the pool holding nothing of the document: not the caller's input,
// not the values' memory, not the violations.
func (st *decodeState) release() {
	st.d.ResetBytes(nil)
	st.root = Path{}
	st.doc = document{}
	st.errs = nil
	decodeStates.Put(st)
}

// document allocates the values of one decoded document in a few blocks rather than one
// allocation per string and per optional member: the bytes of its strings in blocks of a
// third of the input's size (they never alias the caller's input), and the optional members'
// pointers from slabs. Every byte and slot is handed out once and never written again, so the
// values stay valid after the decode, and the memory is freed when none of them is reachable
// (a value kept alive keeps its block and slab alive with it). A nil *document allocates each
// value on its own.
type document struct {
	size   int      // the input's length
	text   []byte   // the strings' bytes: handed out up to len, free up to cap
	strs   []string // free slots for string-typed members
	words  []uint64 // free slots for booleans and numbers
	slices [][]byte // free slots for slice headers (any element type)
	slabs  bool     // the first slabs are allocated
}

// slabs are a document's first slabs, allocated together at its first optional member.
type slabs struct {
	strs   [8]string
	words  [4]uint64
	slices [4][]byte
}

// slab is the number of slots a document allocates at a time for a kind of pointer once its
// first slab is used up.
const slab = 16

// docOf returns the allocator of the document that d decodes, p being a place in it: when
// p's root is the root of a Decode and d its decoder. Else nil.
//
// The allocator is found from d, not from p: a string handed out is then not derived from p,
// so the compiler keeps the paths of the generated code on the stack.
func docOf(d *jx.Decoder, p *Path) *document {
	for ; p != nil; p = p.parent {
		if p.parent == nil && p.dec != nil && p.dec == d {
			return &(*decodeState)(unsafe.Pointer(d)).doc
		}
	}
	return nil
}

// string returns b as a string in the document's text block (b is copied: it may be the
// decoder's buffer or the caller's input).
func (doc *document) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if doc == nil {
		return string(b)
	}
	if cap(doc.text)-len(doc.text) < len(b) {
		// A new block of a third of the input: the strings of a document, without its keys,
		// its punctuation and the values that decode to constants, seldom need more.
		doc.text = make([]byte, 0, max(len(b), doc.size/3, 64))
	}
	start := len(doc.text)
	doc.text = append(doc.text, b...)
	return unsafe.String(&doc.text[start], len(b))
}

// FirstRoom is the capacity of a decoded array at its first item: room for a few items of a
// small type, fewer of a large one, so that a short array takes one allocation and wastes
// little.
func FirstRoom[T any]() int {
	var v T
	return max(1, min(4, 256/max(1, int(unsafe.Sizeof(v)))))
}

// Ptr returns a pointer to a copy of v, for an optional member decoded by d at p. In a
// document that Decode decodes, strings, booleans, numbers and slices get their slot from one
// of the document's slabs; anything else, or outside Decode, is allocated on its own.
func Ptr[T any](d *jx.Decoder, p *Path, v T) *T {
	// Not &v: v would then be moved to the heap on every call.
	var slot unsafe.Pointer
	doc := docOf(d, p)
	if doc == nil {
		q := new(T)
		*q = v
		return q
	}
	if !doc.slabs {
		b := new(slabs)
		doc.strs, doc.words, doc.slices, doc.slabs = b.strs[:], b.words[:], b.slices[:], true
	}
	// A slot of a slab holds any type with the slab type's memory layout: the garbage
	// collector sees the same pointer words (none for numbers, the data pointer of a string
	// or a slice).
	switch reflect.TypeFor[T]().Kind() {
	case reflect.String:
		if len(doc.strs) == 0 {
			doc.strs = make([]string, slab)
		}
		slot, doc.strs = unsafe.Pointer(&doc.strs[0]), doc.strs[1:]
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		if len(doc.words) == 0 {
			doc.words = make([]uint64, slab)
		}
		slot, doc.words = unsafe.Pointer(&doc.words[0]), doc.words[1:]
	case reflect.Slice:
		if len(doc.slices) == 0 {
			doc.slices = make([][]byte, slab)
		}
		slot, doc.slices = unsafe.Pointer(&doc.slices[0]), doc.slices[1:]
	default:
		slot = unsafe.Pointer(new(T))
	}
	q := (*T)(slot)
	*q = v
	return q
}

// checkText refuses what a decoder would otherwise replace by U+FFFD without a word: bytes
// that are not UTF-8 (RFC 8259 requires it) and \u escapes of unpaired UTF-16 surrogates.
func checkText(data []byte) error {
	if !utf8.Valid(data) {
		return errors.New("the document is not valid UTF-8")
	}
	for i := bytes.Index(data, []byte(`\u`)); i >= 0; {
		// Only a backslash preceded by an even number of backslashes starts an escape.
		k := 0
		for k < i && data[i-1-k] == '\\' {
			k++
		}
		if k%2 == 0 {
			if r, ok := hex4(data[i+2:]); ok && utf16.IsSurrogate(r) {
				low, ok := hex4(data[min(i+8, len(data)):])
				if r >= 0xDC00 || !bytes.HasPrefix(data[i+6:], []byte(`\u`)) || !ok || low < 0xDC00 || low > 0xDFFF {
					return errors.New("a \\u escape is an unpaired UTF-16 surrogate")
				}
				i += 6 // the low half of the pair
			}
		}
		j := bytes.Index(data[i+2:], []byte(`\u`))
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return nil
}

// hex4 decodes the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 16)
	return rune(v), err == nil
}

// HasNUL reports whether a JSON document has a \u0000 escape, the only way a NUL can be in a
// valid one.
func HasNUL(data []byte) bool {
	for i := bytes.Index(data, []byte(`\u0000`)); i >= 0; {
		k := 0
		for k < i && data[i-1-k] == '\\' {
			k++
		}
		if k%2 == 0 {
			return true
		}
		j := bytes.Index(data[i+2:], []byte(`\u0000`))
		if j < 0 {
			return false
		}
		i += 2 + j
	}
	return false
}

// Validate runs v's checks from the document root. It fails only on enforced rules; Check
// also returns the advisory ones.
func Validate(v Validator) error {
	_, err := Check(v)
	return err
}

// Check runs v's checks from the document root and returns the violations of enforced rules
// as the error, and those of advisory rules as warnings.
func Check(v Validator) (warnings Errors, err error) {
	return checkAs(AnyDirection, v)
}

// checkAs is Check for a value travelling in direction dir.
func checkAs(dir Direction, v Validator) (warnings Errors, err error) {
	var e Errors
	v.ValidateAt(nil, &e)
	return split(e, dir)
}

// split settles a document's violations into warnings and the error (nil when no enforced
// rule is broken).
func split(e Errors, dir Direction) (Errors, error) {
	e = e.along(dir)
	if len(e) == 0 {
		return nil, nil
	}
	e = e.Settle()
	if !e.Enforced() {
		return e, nil // warnings only
	}
	errs, warnings := e.Split()
	return warnings, errs
}

// Preflight is how a validating client treats a request body before sending it: violations
// of enforced rules stop the request; violations of advisory rules (rules the pages state
// but the service is known not to enforce, each naming its ledger entry) are handed to Warn
// and the request goes out, unless Strict asks for the pages' letter.
type Preflight struct {
	// Strict makes advisory violations stop the request too.
	Strict bool
	// Warn receives the advisory violations of a request that is sent; nil drops them.
	Warn func(ctx context.Context, req *http.Request, warnings Errors)
}

// Judge returns the error that stops req, given what Decode said of its body, and hands
// advisory violations to p.Warn when the request goes out.
func (p Preflight) Judge(ctx context.Context, req *http.Request, warnings Errors, err error) error {
	if err != nil || len(warnings) == 0 {
		return err
	}
	if p.Strict {
		return warnings
	}
	if p.Warn != nil {
		p.Warn(ctx, req, warnings)
	}
	return nil
}

// LogWarnings is the default Preflight.Warn: one slog warning per advisory violation.
func LogWarnings(ctx context.Context, req *http.Request, warnings Errors) {
	for _, w := range warnings {
		slog.WarnContext(ctx, "request breaks an advisory rule of the API reference",
			"method", req.Method, "url", req.URL.Path, "path", w.Path, "rule", w.Rule, "ledger", w.Ledger, "message", w.Message)
	}
}
