package generator

import (
	"regexp/syntax"

	"github.com/dave/jennifer/jen"
)

// classMatcher is a pattern of the shape most specs use for names and identifiers:
// `^C1C2...Ck T{min,max}$`, a fixed run of character classes and one repeated tail class
// (or `^literal-prefix` with no end anchor). The generator turns it into a loop over runes,
// several times faster than regexp; other patterns keep using regexp.
type classMatcher struct {
	prefix   [][]rune // each a list of inclusive ranges, as regexp/syntax gives them
	tail     []rune   // nil: no tail
	min, max int      // tail repetitions; max -1 is unbounded
	open     bool     // no end anchor: anything may follow the prefix
}

// compileClasses returns the matcher for pattern, or false when it has another shape.
func compileClasses(pattern string) (classMatcher, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return classMatcher{}, false
	}
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return classMatcher{}, false
	}
	var m classMatcher
	items := re.Sub[1:]
	if last := items[len(items)-1]; last.Op == syntax.OpEndText {
		items = items[:len(items)-1]
	} else {
		m.open = true
	}
	for i, it := range items {
		if cls, ok := class(it); ok {
			if m.tail != nil {
				return classMatcher{}, false // a class after the tail would need backtracking
			}
			m.prefix = append(m.prefix, cls)
			continue
		}
		if it.Op == syntax.OpLiteral && it.Flags&syntax.FoldCase == 0 {
			if m.tail != nil {
				return classMatcher{}, false
			}
			for _, r := range it.Rune {
				m.prefix = append(m.prefix, []rune{r, r})
			}
			continue
		}
		if m.open || i != len(items)-1 {
			return classMatcher{}, false
		}
		var sub *syntax.Regexp
		switch it.Op {
		case syntax.OpStar:
			sub, m.min, m.max = it.Sub[0], 0, -1
		case syntax.OpPlus:
			sub, m.min, m.max = it.Sub[0], 1, -1
		case syntax.OpQuest:
			sub, m.min, m.max = it.Sub[0], 0, 1
		case syntax.OpRepeat:
			sub, m.min, m.max = it.Sub[0], it.Min, it.Max
		default:
			return classMatcher{}, false
		}
		cls, ok := class(sub)
		if !ok {
			return classMatcher{}, false
		}
		m.tail = cls
	}
	return m, true
}

func class(re *syntax.Regexp) ([]rune, bool) {
	switch re.Op {
	case syntax.OpCharClass:
		return re.Rune, true
	case syntax.OpAnyCharNotNL:
		return []rune{0, '\n' - 1, '\n' + 1, 0x10FFFF}, true
	case syntax.OpAnyChar:
		return []rune{0, 0x10FFFF}, true
	case syntax.OpLiteral:
		if len(re.Rune) == 1 && re.Flags&syntax.FoldCase == 0 {
			return []rune{re.Rune[0], re.Rune[0]}, true
		}
	}
	return nil, false
}

func inRanges(r rune, ranges []rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		if r >= ranges[i] && r <= ranges[i+1] {
			return true
		}
	}
	return false
}

// match is the matcher's meaning, for tests: the generated code does the same.
func (m classMatcher) match(s string) bool {
	i, n := 0, 0
	for _, r := range s {
		switch {
		case i < len(m.prefix):
			if !inRanges(r, m.prefix[i]) {
				return false
			}
		case m.open:
			return true
		case m.tail == nil || !inRanges(r, m.tail):
			return false
		default:
			n++
		}
		i++
	}
	return i >= len(m.prefix) && n >= m.min && (m.max < 0 || n <= m.max)
}

// code renders the matcher as a Go function literal body over the string s.
func (m classMatcher) code() []jen.Code {
	cond := func(ranges []rune) *jen.Statement {
		var c *jen.Statement
		for i := 0; i+1 < len(ranges); i += 2 {
			var t *jen.Statement
			if ranges[i] == ranges[i+1] {
				t = jen.Id("r").Op("==").Lit(ranges[i])
			} else {
				t = jen.Parens(jen.Id("r").Op(">=").Lit(ranges[i]).Op("&&").Id("r").Op("<=").Lit(ranges[i+1]))
			}
			if c == nil {
				c = t
			} else {
				c = c.Op("||").Add(t)
			}
		}
		return jen.Op("!").Parens(c)
	}
	var cases []jen.Code
	for i, p := range m.prefix {
		cases = append(cases, jen.Case(jen.Id("i").Op("==").Lit(i)).Block(jen.If(cond(p)).Block(jen.Return(jen.False()))))
	}
	switch {
	case m.open:
		cases = append(cases, jen.Default().Block(jen.Return(jen.True())))
	case m.tail == nil:
		cases = append(cases, jen.Default().Block(jen.Return(jen.False())))
	default:
		cases = append(cases, jen.Default().Block(
			jen.If(cond(m.tail)).Block(jen.Return(jen.False())),
			jen.Id("n").Op("++"),
		))
	}
	result := jen.Id("i").Op(">=").Lit(len(m.prefix))
	if m.min > 0 {
		result = result.Op("&&").Id("n").Op(">=").Lit(m.min)
	}
	if m.max >= 0 {
		result = result.Op("&&").Id("n").Op("<=").Lit(m.max)
	}
	return []jen.Code{
		jen.List(jen.Id("i"), jen.Id("n")).Op(":=").List(jen.Lit(0), jen.Lit(0)),
		jen.Id("_").Op("=").Id("n"),
		jen.For(jen.List(jen.Id("_"), jen.Id("r")).Op(":=").Range().Id("s")).Block(
			jen.Switch().Block(cases...),
			jen.Id("i").Op("++"),
		),
		jen.Return(result),
	}
}
