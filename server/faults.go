package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
)

// Fault makes the emulator misbehave on one operation, so that callers can test their retry
// and timeout handling: with Probability, a request of Operation waits Latency and then, when
// Status is set, is answered with that error instead of being served (nothing is stored).
type Fault struct {
	// Operation is an operation id of the specs (CreateApiV2, ...), or "*" for every one.
	Operation string `json:"operation"`
	// Status is the HTTP status of the error answer (400-599); 0 only delays the request.
	Status int `json:"status,omitempty"`
	// ErrorCode is the vendor code of the answer (default APIG.0308 for 429, else APIG.9999).
	ErrorCode string `json:"error_code,omitempty"`
	// Message is the error_msg (default: says the fault was injected).
	Message string `json:"error_msg,omitempty"`
	// Latency is added before the answer, at most MaxFaultLatency.
	Latency Duration `json:"latency,omitempty"`
	// Probability is the share of requests hit, in (0, 1]; 0 means 1.
	Probability float64 `json:"probability,omitempty"`
}

// Duration is a time.Duration written as Go writes durations ("250ms", "2s").
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("latency: want a duration such as \"250ms\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	*d = Duration(v)
	return nil
}

// Bounds of fault injection: a fault can hold a request for at most a minute, and there are
// at most MaxFaults.
const (
	MaxFaultLatency = time.Minute
	MaxFaults       = 100
)

// ParseFault reads the --fault flag's form: OPERATION:key=value,... with the keys status,
// code, message, latency and probability, e.g.
// "CreateApiV2:status=429,code=APIG.0308,probability=0.5" or "*:latency=2s".
func ParseFault(s string) (Fault, error) {
	op, rest, ok := strings.Cut(s, ":")
	if !ok || op == "" {
		return Fault{}, fmt.Errorf("fault %q: want OPERATION:key=value,...", s)
	}
	f := Fault{Operation: op}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return Fault{}, fmt.Errorf("fault %q: %q is not key=value", s, kv)
		}
		var err error
		switch k {
		case "status":
			f.Status, err = strconv.Atoi(v)
		case "code":
			f.ErrorCode = v
		case "message":
			f.Message = v
		case "latency":
			var d time.Duration
			d, err = time.ParseDuration(v)
			f.Latency = Duration(d)
		case "probability":
			f.Probability, err = strconv.ParseFloat(v, 64)
		default:
			err = fmt.Errorf("unknown key (status, code, message, latency, probability)")
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault %q: %s: %v", s, k, err)
		}
	}
	return f, nil
}

// check validates f against the operations of the specs, and fills in its defaults.
func (f *Fault) check(ops []string) error {
	if f.Operation != "*" && !slices.Contains(ops, f.Operation) {
		return fmt.Errorf("fault: unknown operation %q (one of %s, or *)", f.Operation, strings.Join(ops, ", "))
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return fmt.Errorf("fault %s: status %d is not an error status (400-599)", f.Operation, f.Status)
	}
	if f.Status == 0 && (f.ErrorCode != "" || f.Message != "") {
		return fmt.Errorf("fault %s: an error code or message needs a status", f.Operation)
	}
	if f.Status == 0 && f.Latency == 0 {
		return fmt.Errorf("fault %s: give a status, a latency or both", f.Operation)
	}
	if f.Latency < 0 || time.Duration(f.Latency) > MaxFaultLatency {
		return fmt.Errorf("fault %s: latency must be between 0 and %s", f.Operation, MaxFaultLatency)
	}
	if f.Probability < 0 || f.Probability > 1 {
		return fmt.Errorf("fault %s: probability must be in (0, 1]", f.Operation)
	}
	if f.Probability == 0 {
		f.Probability = 1
	}
	if f.Status != 0 && f.ErrorCode == "" {
		f.ErrorCode = CodeSystem
		if f.Status == http.StatusTooManyRequests {
			f.ErrorCode = CodeThrottled
		}
	}
	if f.Status != 0 && f.Message == "" {
		f.Message = "Injected fault: the emulator was told to answer " + f.ErrorCode
	}
	return nil
}

// faultSet holds the faults in force; requests read it without a lock.
type faultSet struct {
	ops []string // the operation ids of the specs
	cur atomic.Pointer[[]Fault]
}

func newFaultSet(ops []string) *faultSet {
	fs := &faultSet{ops: ops}
	fs.cur.Store(&[]Fault{})
	return fs
}

// set replaces the faults, after checking them all.
func (fs *faultSet) set(faults []Fault) error {
	if len(faults) > MaxFaults {
		return fmt.Errorf("fault: at most %d faults", MaxFaults)
	}
	checked := make([]Fault, len(faults))
	for i, f := range faults {
		if err := f.check(fs.ops); err != nil {
			return err
		}
		checked[i] = f
	}
	fs.cur.Store(&checked)
	return nil
}

func (fs *faultSet) list() []Fault { return *fs.cur.Load() }

// pick returns the first fault of op that the dice choose, if any.
func (fs *faultSet) pick(op string) (Fault, bool) {
	if op == "" || strings.HasPrefix(op, "/") {
		return Fault{}, false // an unknown path, or the emulator's own
	}
	for _, f := range *fs.cur.Load() {
		if (f.Operation == op || f.Operation == "*") && (f.Probability >= 1 || rand.Float64() < f.Probability) {
			return f, true
		}
	}
	return Fault{}, false
}

// injectFaults applies the faults to the operations of the specs (never to the emulator's
// own paths). It runs after authentication: a caller without credentials still gets 401.
func (s *Server) injectFaults(ops map[route]string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			f, ok := s.faults.pick(ops[route{c.Request().Method, c.Path()}])
			if !ok {
				return next(c)
			}
			c.Response().Header().Set("X-Apicemu-Fault", "injected")
			if f.Latency > 0 {
				if err := sleep(c.Request().Context(), time.Duration(f.Latency)); err != nil {
					return err
				}
			}
			if f.Status == 0 {
				return next(c)
			}
			return &APIError{Status: f.Status, Code: f.ErrorCode, Msg: f.Message}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The state API's faults: GET lists them, PUT replaces them (a JSON array), DELETE removes
// them all.
func (s *Server) getFaults(c echo.Context) error { return c.JSON(http.StatusOK, s.faults.list()) }

func (s *Server) putFaults(c echo.Context) error {
	var faults []Fault
	if err := decodeStrict(bodyOf(c), &faults); err != nil {
		return apiError(http.StatusBadRequest, CodeParameter, "Faults: want a JSON array of faults: %v", err)
	}
	if err := s.faults.set(faults); err != nil {
		return apiError(http.StatusBadRequest, CodeParameter, "%v", err)
	}
	s.log.Info("faults set", "faults", len(faults))
	return c.JSON(http.StatusOK, s.faults.list())
}

func (s *Server) deleteFaults(c echo.Context) error {
	s.faults.set(nil) //nolint:errcheck // no faults always pass the checks
	s.log.Info("faults cleared")
	return c.JSON(http.StatusOK, []Fault{})
}

// operationIDs lists the operation ids of the specs, sorted.
func operationIDs(docs ...*openapi3.T) []string {
	var out []string
	for _, d := range docs {
		for _, item := range d.Paths.Map() {
			for _, o := range item.Operations() {
				out = append(out, o.OperationID)
			}
		}
	}
	slices.Sort(out)
	return out
}
