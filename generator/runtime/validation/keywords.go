package validation

import (
	"encoding/json"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rule names of the keywords checked by the functions of this file.
const (
	RuleMultipleOf           = "multipleOf"
	RuleUniqueItems          = "uniqueItems"
	RuleMinProperties        = "minProperties"
	RuleMaxProperties        = "maxProperties"
	RuleAdditionalProperties = "additionalProperties"
	RuleFormat               = "format"
	RuleReadOnly             = "readOnly"
	RuleWriteOnly            = "writeOnly"
)

// Direction is the way a document travels: readOnly members may not be sent in a request,
// writeOnly members may not be sent in a response, and a required member that is readOnly
// (writeOnly) is required in responses (requests) only.
type Direction uint8

const (
	// AnyDirection is a document of unknown direction (Decode, Validate, Check): readOnly and
	// writeOnly members are accepted, and required ones are required, as kin-openapi reads a
	// document without a direction.
	AnyDirection Direction = iota
	// Request is a request body (DecodeRequest, CheckRequest).
	Request
	// Response is a response body (DecodeResponse, CheckResponse).
	Response
)

// AddFor records a violation of rule at p that only a document travelling in direction dir
// breaks.
func (e *Errors) AddFor(dir Direction, p *Path, rule, msg string) {
	*e = append(*e, Violation{Path: p.String(), Rule: rule, Message: msg, dir: dir})
}

// along keeps the violations that a document travelling in direction dir breaks.
func (e Errors) along(dir Direction) Errors {
	keep := func(v Violation) bool {
		return v.dir == AnyDirection || v.dir == dir || (dir == AnyDirection && v.Rule == RuleRequired)
	}
	var out Errors
	for i, v := range e {
		switch {
		case out != nil && keep(v):
			out = append(out, v)
		case out == nil && !keep(v):
			// The first one to drop: copy the ones before it (e stays as it was).
			out = append(make(Errors, 0, len(e)), e[:i]...)
		}
	}
	if out == nil {
		return e
	}
	return out
}

// DecodeRequest is Decode for a request body: a readOnly member is a violation, and a
// required writeOnly member is required.
func DecodeRequest[T Type](data []byte, v T) (warnings Errors, err error) {
	return decodeAs(Request, data, v)
}

// DecodeResponse is Decode for a response body: a writeOnly member is a violation, and a
// required readOnly member is required.
func DecodeResponse[T Type](data []byte, v T) (warnings Errors, err error) {
	return decodeAs(Response, data, v)
}

// CheckRequest is Check for a value sent as a request body.
func CheckRequest(v Validator) (warnings Errors, err error) { return checkAs(Request, v) }

// CheckResponse is Check for a value sent as a response body.
func CheckResponse(v Validator) (warnings Errors, err error) { return checkAs(Response, v) }

// ReadOnly records a readOnly member that was sent; only requests break the rule.
func ReadOnly(e *Errors, p *Path) {
	e.AddFor(Request, p, RuleReadOnly, "is read-only: a request must not send it")
}

// WriteOnly records a writeOnly member that was sent; only responses break the rule.
func WriteOnly(e *Errors, p *Path) {
	e.AddFor(Response, p, RuleWriteOnly, "is write-only: a response must not send it")
}

// FloatRange checks a number against bounds, each inclusive or exclusive (OpenAPI 3.0's
// boolean exclusiveMinimum and exclusiveMaximum).
func FloatRange(e *Errors, p *Path, v float64, hasMin bool, min float64, exMin bool, hasMax bool, max float64, exMax bool) {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	switch {
	case hasMin && exMin && v <= min:
		e.Add(p, RuleMinimum, "must be greater than "+f(min))
	case hasMin && !exMin && v < min:
		e.Add(p, RuleMinimum, "must be at least "+f(min))
	}
	switch {
	case hasMax && exMax && v >= max:
		e.Add(p, RuleMaximum, "must be less than "+f(max))
	case hasMax && !exMax && v > max:
		e.Add(p, RuleMaximum, "must be at most "+f(max))
	}
}

// MultipleOfInt checks that v is a multiple of m (a positive integer), exactly.
func MultipleOfInt(e *Errors, p *Path, v, m int64) {
	if v%m != 0 {
		e.Add(p, RuleMultipleOf, "must be a multiple of "+strconv.FormatInt(m, 10)+", got "+strconv.FormatInt(v, 10))
	}
}

// multipleOfSlack: a number counts as a multiple of m when it lies within 2^-51 of a multiple,
// relative to the number itself. A float64 carries about 2^-53 of relative error, so this absorbs
// the rounding of decimal fractions (0.3 is a multiple of 0.1) and no real remainder. It is
// kin-openapi's rule, so that the generated validators and that oracle agree on every value.
const multipleOfSlack = 51

// MultipleOf checks that v is a multiple of m (positive), comparing exact rationals with the
// slack above.
func MultipleOf(e *Errors, p *Path, v, m float64) {
	if isMultiple(v, m) {
		return
	}
	e.Add(p, RuleMultipleOf, "must be a multiple of "+strconv.FormatFloat(m, 'g', -1, 64)+", got "+strconv.FormatFloat(v, 'g', -1, 64))
}

func isMultiple(v, m float64) bool {
	if m <= 0 || math.IsNaN(m) || math.IsInf(m, 0) || math.IsNaN(v) || math.IsInf(v, 0) {
		return m > 0
	}
	if q := v / m; q == math.Trunc(q) && math.Abs(q) < 1<<53 && q*m == v {
		return true // exact in float64: the common case allocates nothing
	}
	exact := new(big.Rat).SetFloat64(v)
	step := new(big.Rat).SetFloat64(m)
	q := new(big.Rat).Quo(exact, step)
	if q.IsInt() {
		return true
	}
	floor := new(big.Int).Div(q.Num(), q.Denom())
	tolerance := new(big.Rat).Mul(new(big.Rat).Abs(exact), new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), multipleOfSlack)))
	for _, k := range []*big.Int{floor, new(big.Int).Add(floor, big.NewInt(1))} {
		gap := new(big.Rat).Sub(exact, new(big.Rat).Mul(new(big.Rat).SetInt(k), step))
		if gap.Abs(gap).Cmp(tolerance) <= 0 {
			return true
		}
	}
	return false
}

// EnumFloat checks that v is one of values.
func EnumFloat(e *Errors, p *Path, v float64, values []float64) {
	parts := make([]string, len(values))
	for i, x := range values {
		if v == x {
			return
		}
		parts[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	e.Add(p, RuleEnum, "must be one of "+strings.Join(parts, ", ")+", got "+strconv.FormatFloat(v, 'g', -1, 64))
}

// EnumBool checks that v is one of values.
func EnumBool(e *Errors, p *Path, v bool, values []bool) {
	for _, x := range values {
		if v == x {
			return
		}
	}
	e.Add(p, RuleEnum, "must not be "+strconv.FormatBool(v))
}

// Unique checks that no two items are equal as JSON values (uniqueItems): objects with the same
// members, numbers with the same value.
func Unique[T any](e *Errors, p *Path, items []T) {
	if len(items) < 2 {
		return
	}
	seen := make(map[string]int, len(items))
	for i, it := range items {
		k := jsonKey(it)
		if j, dup := seen[k]; dup {
			e.Add(p, RuleUniqueItems, "items "+strconv.Itoa(j)+" and "+strconv.Itoa(i)+" are equal")
			return
		}
		seen[k] = i
	}
}

// jsonKey is a text that two values share exactly when they are equal as JSON. A string's key
// starts with 's', which no JSON text does; other values are their JSON encoding (encoding/json
// writes struct members in a fixed order and map keys sorted).
func jsonKey(v any) string {
	switch x := v.(type) {
	case string:
		return "s" + x
	case *string:
		if x != nil {
			return "s" + *x
		}
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Props checks minProperties and maxProperties against n members (a negative bound is absent).
func Props(e *Errors, p *Path, n, min, max int) {
	if min >= 0 && n < min {
		e.Add(p, RuleMinProperties, "must have at least "+strconv.Itoa(min)+" members, got "+strconv.Itoa(n))
	}
	if max >= 0 && n > max {
		e.Add(p, RuleMaxProperties, "must have at most "+strconv.Itoa(max)+" members, got "+strconv.Itoa(n))
	}
}

// Undeclared records a member that the object's schema does not declare, under
// additionalProperties: false.
func Undeclared(e *Errors, p *Path, name string) {
	q := p.Key(name)
	e.Add(&q, RuleAdditionalProperties, "is not a declared member")
}

// The formats checked are kin-openapi's default set (its patterns, and the calendar check of
// dates); the generator lists them (generator/keywords.go) and documents the others.
const (
	patternDate     = `^[0-9]{4}-(0[1-9]|10|11|12)-(0[1-9]|[12][0-9]|3[01])$`
	patternDateTime = `^[0-9]{4}-(0[1-9]|10|11|12)-(0[1-9]|[12][0-9]|3[01])T([0-1][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)([0-1][0-9]|2[0-3]):[0-5][0-9])$`
	patternByte     = `(^$|^[a-zA-Z0-9+/\-_]*=*$)`
)

var formats = sync.OnceValue(func() map[string]func(string) bool {
	re := func(p string) func(string) bool { return regexp.MustCompile(p).MatchString }
	date, dateTime := re(patternDate), re(patternDateTime)
	// The pattern admits February 31st; the calendar does not.
	onCalendar := func(s string) bool { _, err := time.Parse(time.DateOnly, s[:len(time.DateOnly)]); return err == nil }
	return map[string]func(string) bool{
		"date":      func(s string) bool { return date(s) && onCalendar(s) },
		"date-time": func(s string) bool { return dateTime(s) && onCalendar(s) },
		"byte":      re(patternByte),
	}
})

// Format checks that s is written in format, one of the checked formats.
func Format(e *Errors, p *Path, s, format string) {
	if ok := formats()[format]; ok != nil && !ok(s) {
		e.Add(p, RuleFormat, "must be a "+format+" (see the format's definition), got "+strconv.Quote(s))
	}
}
