package lint

import "fmt"

// Ledger is a spec's doc-discrepancy ledger (format: spec/README.md).
type Ledger struct {
	Src     *Source
	Entries []LedgerEntry
}

// LedgerEntry is the part of a ledger entry the linter reads.
type LedgerEntry struct {
	ID        string `yaml:"id"`
	Locations []string
	Checks    []struct {
		Schema  string `yaml:"schema"`
		Example string `yaml:"example"`
		Valid   bool   `yaml:"valid"`
	}
}

// ParseLedger reads a ledger file.
func ParseLedger(file string, data []byte) (*Ledger, error) {
	root, err := parseYAML(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	l := &Ledger{Src: &Source{File: file, Root: root}}
	if err := root.Decode(&l.Entries); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return l, nil
}

// Rejected reports whether the ledger records the example ref as breaking a kept rule.
func (l *Ledger) Rejected(ref string) bool {
	if l == nil {
		return false
	}
	for _, e := range l.Entries {
		for _, c := range e.Checks {
			if c.Example == ref && !c.Valid {
				return true
			}
		}
	}
	return false
}
