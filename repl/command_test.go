package repl

import (
	"reflect"
	"testing"
)

// TestFlagDefaultsAreZero checks what Prepare relies on when the words
// hold no flag: the options value it makes without a FlagSet equals the
// one flag parsing starts from.
func TestFlagDefaultsAreZero(t *testing.T) {
	for _, c := range Commands() {
		if c.Flags == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			_, parsed := c.flagSet()
			if got := c.Flags(nil); !reflect.DeepEqual(got, parsed) {
				t.Errorf("got options %#v without flags, want %#v (a flag's default is not its zero value)", got, parsed)
			}
		})
	}
}

// TestPrepare checks that Prepare reads flags into the options value and
// reports misuse as Exec does.
func TestPrepare(t *testing.T) {
	tests := []struct {
		name    string
		words   []string
		wantOpt any
		wantErr bool
		help    bool
	}{
		{"no flags", []string{"ls", "b"}, &lsOptions{}, false, false},
		{"flags", []string{"ls", "b", "--max", "2", "--prefix", "p/"}, &lsOptions{max: 2, prefix: "p/"}, false, false},
		{"unknown flag", []string{"ls", "b", "--nope"}, nil, true, false},
		{"too many arguments", []string{"ls", "a", "b"}, nil, true, false},
		{"help", []string{"ls", "--help"}, nil, false, true},
		{"raw words", []string{"echo", "--max"}, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, inv, err := Commands().Prepare(tt.words)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if inv.Help != tt.help {
				t.Errorf("got Help %v, want %v", inv.Help, tt.help)
			}
			if !tt.help && !reflect.DeepEqual(inv.Options, tt.wantOpt) {
				t.Errorf("got options %#v, want %#v", inv.Options, tt.wantOpt)
			}
		})
	}
}
