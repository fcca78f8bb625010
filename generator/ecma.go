package generator

import (
	"fmt"
	"strings"
	"unicode"
)

// Patterns are ECMA-262 regular expressions (OpenAPI 3.0 says so), and Go's regexp reads three
// of their escapes differently: Go's \s is ASCII white space only, its \S takes every other
// character, and its . takes \r and the Unicode line separators. ecmaPattern rewrites those
// into the explicit classes ECMA-262 defines, so that the generated matchers (regexp or rune
// loops) judge as a JavaScript engine does. The rest of the syntax the spec conventions allow
// (spec/README.md) means the same in both.
func ecmaPattern(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			i++
			switch n := p[i]; {
			case n == 's' && inClass:
				b.WriteString(ecmaSpace)
			case n == 's':
				b.WriteString("[" + ecmaSpace + "]")
			case n == 'S' && inClass:
				b.WriteString(ecmaNonSpace)
			case n == 'S':
				b.WriteString("[^" + ecmaSpace + "]")
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		case c == '.' && !inClass:
			b.WriteString(`[^\n\r\x{2028}\x{2029}]`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ecmaSpaceRanges are ECMA-262's WhiteSpace and LineTerminator code points (what \s matches):
// tab, line tabulation, form feed, space, no-break space, the zero width no-break space
// U+FEFF, every other Zs character, line feed, carriage return, U+2028 and U+2029.
var ecmaSpaceRanges = func() [][2]rune {
	set := map[rune]bool{'\t': true, '\v': true, '\f': true, ' ': true, 0xA0: true, 0xFEFF: true, '\n': true, '\r': true, 0x2028: true, 0x2029: true}
	for _, r16 := range unicode.Zs.R16 {
		for r := rune(r16.Lo); r <= rune(r16.Hi); r += rune(r16.Stride) {
			set[r] = true
		}
	}
	var out [][2]rune
	for r := rune(0); r <= 0xFFFF; r++ {
		if !set[r] {
			continue
		}
		if n := len(out); n > 0 && out[n-1][1] == r-1 {
			out[n-1][1] = r
		} else {
			out = append(out, [2]rune{r, r})
		}
	}
	return out
}()

var (
	ecmaSpace    = renderRanges(ecmaSpaceRanges)
	ecmaNonSpace = renderRanges(complement(ecmaSpaceRanges))
)

func complement(rs [][2]rune) [][2]rune {
	var out [][2]rune
	next := rune(0)
	for _, r := range rs {
		if r[0] > next {
			out = append(out, [2]rune{next, r[0] - 1})
		}
		next = r[1] + 1
	}
	return append(out, [2]rune{next, unicode.MaxRune})
}

// renderRanges writes ranges as the inside of a Go character class.
func renderRanges(rs [][2]rune) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, `\x{%x}`, r[0])
		if r[1] != r[0] {
			fmt.Fprintf(&b, `-\x{%x}`, r[1])
		}
	}
	return b.String()
}
