package main

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestEnvironmentMatchesREADME checks that README's table of environment
// variables lists exactly the variables trovemem reads, and that of every
// flag of every command only those listed are read from TROVEMEM_<FLAG>.
func TestEnvironmentMatchesREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\s*\\| `(TROVEMEM_[A-Z_]+)` \\|").FindAllStringSubmatch(string(readme), -1) {
		documented = append(documented, m[1])
	}
	read := append([]string(nil), nonFlagEnv...)
	byFlag := map[string]string{}
	for _, e := range envSettings {
		read = append(read, e.Var)
		byFlag[e.Flag] = e.Var
	}
	slices.Sort(documented)
	slices.Sort(read)
	if !slices.Equal(documented, read) {
		t.Errorf("README's environment variables: got %v, want the ones trovemem reads, %v", documented, read)
	}

	// Every flag of every command, set through the environment as the old
	// rule (TROVEMEM_<FLAG> for every flag) would have had it.
	var walk func(path []string, c *cobra.Command)
	walk = func(path []string, c *cobra.Command) {
		flags := pflag.NewFlagSet("all", pflag.ContinueOnError)
		flags.AddFlagSet(c.LocalFlags())
		flags.AddFlagSet(c.InheritedFlags())
		flags.VisitAll(func(f *pflag.Flag) {
			name := envName(f.Name)
			t.Run(name+" for "+c.CommandPath(), func(t *testing.T) {
				val := "x"
				switch f.Value.Type() {
				case "bool":
					val = "true"
				case "int", "duration":
					val = "1"
				}
				t.Setenv(name, val)
				root := newRootCmd(&app{})
				cmd, _, err := root.Find(path)
				if err != nil {
					t.Fatal(err)
				}
				_ = cmd.ParseFlags(nil)
				_ = applyEnv(cmd)
				got := cmd.Flags().Lookup(f.Name)
				if got == nil {
					got = cmd.InheritedFlags().Lookup(f.Name)
				}
				want := byFlag[f.Name] == name
				if got.Changed != want {
					t.Errorf("%s=%s set --%s: got %v, want %v", name, val, f.Name, got.Changed, want)
				}
			})
		})
		for _, sub := range c.Commands() {
			walk(append(slices.Clone(path), sub.Name()), sub)
		}
	}
	walk(nil, newRootCmd(&app{}))
}
