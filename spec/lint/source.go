package lint

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Source is a YAML file as a node tree, to map JSON pointers to lines and columns.
type Source struct {
	File string
	Root *yaml.Node // document node; nil when the file does not parse
}

// Tokens splits a JSON pointer ("#/a/b~1c") into unescaped tokens.
func Tokens(ptr string) []string {
	ptr = strings.TrimPrefix(strings.TrimPrefix(ptr, "#"), "/")
	if ptr == "" {
		return nil
	}
	toks := strings.Split(ptr, "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

// Ptr builds a JSON pointer from a base pointer and unescaped tokens.
func Ptr(base string, toks ...string) string {
	var b strings.Builder
	b.WriteString(base)
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// Find walks ptr down the tree. It returns the node of the deepest token reached (the key node
// for a mapping member, so positions point at "name:") and whether the whole pointer exists.
func (s *Source) Find(ptr string) (*yaml.Node, bool) {
	if s.Root == nil || len(s.Root.Content) == 0 {
		return nil, false
	}
	cur := s.Root.Content[0]
	at := cur
	for _, tok := range Tokens(ptr) {
		for cur.Kind == yaml.AliasNode {
			cur = cur.Alias
		}
		next, key := child(cur, tok)
		if next == nil {
			return at, false
		}
		cur, at = next, key
	}
	return at, true
}

// Value returns the value node at ptr, or nil.
func (s *Source) Value(ptr string) *yaml.Node {
	if s.Root == nil || len(s.Root.Content) == 0 {
		return nil
	}
	cur := s.Root.Content[0]
	for _, tok := range Tokens(ptr) {
		if cur, _ = child(cur, tok); cur == nil {
			return nil
		}
	}
	return cur
}

func child(n *yaml.Node, tok string) (value, at *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == tok {
				return n.Content[i+1], n.Content[i]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], n.Content[i]
		}
	}
	return nil, nil
}

// Pos is the line and column of ptr, or of its deepest existing prefix.
func (s *Source) Pos(ptr string) (line, col int) {
	n, _ := s.Find(ptr)
	if n == nil {
		return 1, 1
	}
	return n.Line, n.Column
}

// Exists reports whether ptr names a node.
func (s *Source) Exists(ptr string) bool {
	_, ok := s.Find(ptr)
	return ok
}

// Refs lists every "$ref" value under ptr, with the pointer of the $ref member.
func (s *Source) Refs(ptr string) map[string][]string {
	out := map[string][]string{}
	var walk func(n *yaml.Node, at string)
	walk = func(n *yaml.Node, at string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				if k == "$ref" && v.Kind == yaml.ScalarNode {
					out[v.Value] = append(out[v.Value], Ptr(at, k))
					continue
				}
				walk(v, Ptr(at, k))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, Ptr(at, strconv.Itoa(i)))
			}
		}
	}
	if n := s.Value(ptr); n != nil {
		walk(n, "#"+strings.TrimPrefix(ptr, "#"))
	}
	return out
}
