package repl

import "testing"

func TestKeptOutOfHistory(t *testing.T) {
	tests := []struct {
		name, line string
		want       bool
	}{
		{"plain command", "ls photos --max 2", false},
		{"dsn without password", "echo s3://us-east-1/b", false},
		{"mount", "mount cold mem://", true},
		{"mount after another command", "ls; mount cold mem://", true},
		{"password in any command", "echo 's3://k:s3cr3t@us-east-1/b'", true},
		{"password with an unencoded slash", "echo s3://k:a/b@us-east-1", true},
		{"line that does not split, with a dsn", `echo "s3://k:s@x`, true},
		{"line that does not split, without one", `echo "abc`, false},
		{"the word mount as data", "put b k mount", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KeptOutOfHistory(tt.line); got != tt.want {
				t.Errorf("KeptOutOfHistory(%q): got %v, want %v", tt.line, got, tt.want)
			}
		})
	}
}
