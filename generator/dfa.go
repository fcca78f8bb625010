package generator

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"
)

// dfa is a pattern compiled, at generation time, into a deterministic automaton over runes:
// the generated matcher reads each rune once, with no backtracking and no allocation. It
// means what Go's regexp MatchString means (a match anywhere unless anchored; invalid UTF-8
// read as U+FFFD). Patterns with other empty-width assertions than a leading ^ and a trailing
// $ (word boundaries, multi-line anchors), or whose automaton would be large, keep regexp.
type dfa struct {
	states []dfaState // states[0] is the start
}

type dfaState struct {
	match bool // a match has been found: the answer is true whatever follows
	atEnd bool // the input may end here (a $ is satisfied)
	next  []dfaEdge
}

// dfaEdge leads to state to on the runes lo..hi.
type dfaEdge struct {
	lo, hi rune
	to     int
}

// Beyond these sizes the generated code would grow more than the matching speeds up.
const (
	dfaMaxStates = 256
	dfaMaxEdges  = 2048
)

// compileDFA returns the automaton for pattern, or false when it cannot be built.
func compileDFA(pattern string) (*dfa, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, false
	}
	b := &dfaBuilder{prog: prog, index: map[string]int{}}
	if !b.usable() {
		return nil, false
	}
	// The start state at position 0 satisfies ^; the threads a search starts at every later
	// position do not.
	b.restart = b.closure([]int{prog.Start}, false, false)
	start := b.closure([]int{prog.Start}, true, false)
	b.state(start)
	for i := 0; i < len(b.sets); i++ {
		if len(b.sets) > dfaMaxStates || b.edges > dfaMaxEdges {
			return nil, false
		}
		b.expand(i)
	}
	if len(b.sets) > dfaMaxStates || b.edges > dfaMaxEdges {
		return nil, false
	}
	return &dfa{states: b.out}, true
}

type dfaBuilder struct {
	prog    *syntax.Prog
	restart []int   // the threads of a search starting after position 0
	sets    [][]int // each state's threads: rune instructions, Match and $ instructions
	index   map[string]int
	out     []dfaState
	edges   int
}

// usable reports whether every instruction is one the builder handles.
func (b *dfaBuilder) usable() bool {
	for _, in := range b.prog.Inst {
		if in.Op == syntax.InstEmptyWidth {
			if e := syntax.EmptyOp(in.Arg); e != syntax.EmptyBeginText && e != syntax.EmptyEndText {
				return false
			}
		}
	}
	return true
}

// closure follows the empty transitions from pcs; ^ holds when atStart, and $ when atEnd. It
// keeps the threads that consume a rune, Match, and (before the end) the $ instructions, which
// hold only at the end.
func (b *dfaBuilder) closure(pcs []int, atStart, atEnd bool) []int {
	seen := map[int]bool{}
	var out []int
	var walk func(pc int)
	walk = func(pc int) {
		if seen[pc] {
			return
		}
		seen[pc] = true
		in := b.prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			walk(int(in.Out))
			walk(int(in.Arg))
		case syntax.InstCapture, syntax.InstNop:
			walk(int(in.Out))
		case syntax.InstEmptyWidth:
			switch syntax.EmptyOp(in.Arg) {
			case syntax.EmptyBeginText:
				if atStart {
					walk(int(in.Out))
				}
			case syntax.EmptyEndText:
				if atEnd {
					walk(int(in.Out))
				} else {
					out = append(out, pc)
				}
			}
		case syntax.InstFail:
		default: // rune instructions and Match
			out = append(out, pc)
		}
	}
	for _, pc := range pcs {
		walk(pc)
	}
	sort.Ints(out)
	return out
}

// state returns the number of the state with threads set, adding it if new.
func (b *dfaBuilder) state(set []int) int {
	key := fmt.Sprint(set)
	if i, ok := b.index[key]; ok {
		return i
	}
	i := len(b.sets)
	b.index[key] = i
	b.sets = append(b.sets, set)
	st := dfaState{}
	for _, pc := range set {
		in := b.prog.Inst[pc]
		switch {
		case in.Op == syntax.InstMatch:
			st.match = true
		case in.Op == syntax.InstEmptyWidth:
			// $ holds at the end: what follows it must reach Match without a rune.
			for _, q := range b.closure([]int{int(in.Out)}, false, true) {
				if b.prog.Inst[q].Op == syntax.InstMatch {
					st.atEnd = true
				}
			}
		}
	}
	b.out = append(b.out, st)
	return i
}

// runes returns the inclusive ranges instruction pc consumes.
func (b *dfaBuilder) runes(pc int) []rune {
	in := b.prog.Inst[pc]
	switch in.Op {
	case syntax.InstRune1:
		return []rune{in.Rune[0], in.Rune[0]}
	case syntax.InstRune:
		if len(in.Rune) == 1 {
			if syntax.Flags(in.Arg)&syntax.FoldCase == 0 {
				return []rune{in.Rune[0], in.Rune[0]}
			}
			// A case-folded rune (what [Gg] parses to) matches its whole folding orbit,
			// as regexp's Inst.MatchRune does.
			orbit := []rune{in.Rune[0]}
			for r := unicode.SimpleFold(in.Rune[0]); r != in.Rune[0]; r = unicode.SimpleFold(r) {
				orbit = append(orbit, r)
			}
			slices.Sort(orbit)
			var out []rune
			for _, r := range orbit {
				out = append(out, r, r)
			}
			return out
		}
		return in.Rune
	case syntax.InstRuneAny:
		return []rune{0, unicode.MaxRune}
	case syntax.InstRuneAnyNotNL:
		return []rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune}
	}
	return nil
}

// expand computes the transitions of state i, over the intervals that its threads' ranges
// split the runes into.
func (b *dfaBuilder) expand(i int) {
	set := b.sets[i]
	if b.out[i].match {
		return // the matcher answers before reading further
	}
	cuts := []rune{0, unicode.MaxRune + 1}
	for _, pc := range set {
		r := b.runes(pc)
		for k := 0; k+1 < len(r); k += 2 {
			cuts = append(cuts, r[k], r[k+1]+1)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var edges []dfaEdge
	for k := 0; k+1 < len(cuts); k++ {
		lo, hi := cuts[k], cuts[k+1]-1
		var next []int
		for _, pc := range set {
			if inRanges(lo, b.runes(pc)) {
				next = append(next, int(b.prog.Inst[pc].Out))
			}
		}
		// A search also starts anew at every position (none for an anchored pattern).
		next = append(next, b.restart...)
		closed := b.closure(next, false, false)
		if len(closed) == 0 {
			continue // no thread survives: no edge, the matcher answers false
		}
		to := b.state(closed)
		if n := len(edges); n > 0 && edges[n-1].to == to && edges[n-1].hi+1 == lo {
			edges[n-1].hi = hi
		} else {
			edges = append(edges, dfaEdge{lo: lo, hi: hi, to: to})
		}
	}
	b.edges += len(edges)
	b.out[i].next = edges
}

// match is the automaton's meaning, for tests: the generated code does the same.
func (m *dfa) match(s string) bool {
	st := 0
	for _, r := range s {
		if m.states[st].match {
			return true
		}
		next := -1
		for _, e := range m.states[st].next {
			if r >= e.lo && r <= e.hi {
				next = e.to
				break
			}
		}
		if next < 0 {
			return false
		}
		st = next
	}
	return m.states[st].match || m.states[st].atEnd
}

// code renders the automaton as a Go function literal body over the string s.
func (m *dfa) code() []jen.Code {
	var cases []jen.Code
	for i, st := range m.states {
		var body []jen.Code
		if st.match {
			body = append(body, jen.Return(jen.True()))
		} else {
			var arms []jen.Code
			// Edges to the same state share an arm.
			byTo := map[int][]dfaEdge{}
			var order []int
			for _, e := range st.next {
				if _, ok := byTo[e.to]; !ok {
					order = append(order, e.to)
				}
				byTo[e.to] = append(byTo[e.to], e)
			}
			for _, to := range order {
				var cond *jen.Statement
				for _, e := range byTo[to] {
					var t *jen.Statement
					if e.lo == e.hi {
						t = jen.Id("r").Op("==").Lit(e.lo)
					} else {
						t = jen.Parens(jen.Id("r").Op(">=").Lit(e.lo).Op("&&").Id("r").Op("<=").Lit(e.hi))
					}
					if cond == nil {
						cond = t
					} else {
						cond = cond.Op("||").Add(t)
					}
				}
				arms = append(arms, jen.Case(cond).Block(jen.Id("st").Op("=").Lit(to)))
			}
			arms = append(arms, jen.Default().Block(jen.Return(jen.False())))
			body = append(body, jen.Switch().Block(arms...))
		}
		cases = append(cases, jen.Case(jen.Lit(i)).Block(body...))
	}
	var final []string
	for i, st := range m.states {
		if st.match || st.atEnd {
			final = append(final, fmt.Sprint(i))
		}
	}
	result := jen.False()
	if len(final) > 0 {
		var c *jen.Statement
		for _, f := range final {
			t := jen.Id("st").Op("==").Id(f)
			if c == nil {
				c = t
			} else {
				c = c.Op("||").Add(t)
			}
		}
		result = c
	}
	if m.states[0].match {
		return []jen.Code{jen.Return(jen.True())} // the empty string matches: so does any
	}
	if len(m.states[0].next) == 0 {
		// No rune leads anywhere: only the empty string can match.
		return []jen.Code{jen.Return(jen.Id("s").Op("==").Lit("").Op("&&").Lit(m.states[0].atEnd))}
	}
	return []jen.Code{
		jen.Id("st").Op(":=").Lit(0),
		jen.For(jen.List(jen.Id("_"), jen.Id("r")).Op(":=").Range().Id("s")).Block(
			jen.Switch(jen.Id("st")).Block(cases...),
		),
		jen.Return(result),
	}
}

// describe renders the automaton for test failures.
func (m *dfa) describe() string {
	var b strings.Builder
	for i, st := range m.states {
		fmt.Fprintf(&b, "%d match=%v end=%v:", i, st.match, st.atEnd)
		for _, e := range st.next {
			fmt.Fprintf(&b, " %q-%q>%d", e.lo, e.hi, e.to)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
