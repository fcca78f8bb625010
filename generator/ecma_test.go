package generator

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// ECMA-262 (22.2.2.9, CharacterClassEscape; 12.2 WhiteSpace; 12.3 LineTerminator): \s is these
// code points and no other. U+0085 (NEL), U+180E and U+200B are not among them, though some
// libraries count them as space.
var ecmaWhiteSpace = []rune{0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
	0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF}

var notWhiteSpace = []rune{'a', '0', '_', 0x85, 0x180E, 0x200B, 0x2060, '汉', 0x1F600}

// Bug 9: \s and \S, inside and outside a class, and ., as a JavaScript engine reads them; both
// through regexp, the rune-loop matcher and the automaton.
func TestPatternsFollowECMA(t *testing.T) {
	matchers := func(p string) map[string]func(string) bool {
		goRE := ecmaPattern(p)
		out := map[string]func(string) bool{"regexp": regexp.MustCompile(goRE).MatchString}
		if m, ok := compileClasses(goRE); ok {
			out["runes"] = m.match
		}
		if m, ok := compileDFA(goRE); ok {
			out["automaton"] = m.match
		}
		return out
	}
	lineTerminator := map[rune]bool{0x0A: true, 0x0D: true, 0x2028: true, 0x2029: true}
	for _, tc := range []struct {
		pattern string
		want    func(r rune, space bool) bool
	}{
		{`^\s$`, func(_ rune, space bool) bool { return space }},
		{`^\S$`, func(_ rune, space bool) bool { return !space }},
		{`^[\s]$`, func(_ rune, space bool) bool { return space }},
		{`^[^\s]$`, func(_ rune, space bool) bool { return !space }},
		{`^[a\S]$`, func(_ rune, space bool) bool { return !space }},
		{`^[\s_]+$`, func(r rune, space bool) bool { return space || r == '_' }},
		{`^.$`, func(r rune, _ bool) bool { return !lineTerminator[r] }},
	} {
		for name, match := range matchers(tc.pattern) {
			for _, r := range ecmaWhiteSpace {
				assert.Equal(t, tc.want(r, true), match(string(r)), "%s (%s) on U+%04X", tc.pattern, name, r)
			}
			for _, r := range notWhiteSpace {
				assert.Equal(t, tc.want(r, false), match(string(r)), "%s (%s) on U+%04X", tc.pattern, name, r)
			}
		}
	}
	// Escaped characters keep their meaning.
	assert.Equal(t, `^\.\\[^\n\r\x{2028}\x{2029}]\[s\]$`, ecmaPattern(`^\.\\.\[s\]$`))
}
