package repl

import "testing"

func TestRedactDSN(t *testing.T) {
	tests := []struct{ name, dsn, want string }{
		{"password", "mem://u:p@h/p?x=1", "mem://u:***@h/p?x=1"},
		{"password with @", "mem://u:p@ss@h", "mem://u:***@h"},
		{"empty password", "mem://u:@h", "mem://u:***@h"},
		{"escaped password", "pg://a:b%40c@h:5/db", "pg://a:***@h:5/db"},
		{"user only", "mem://u@h", "mem://u@h"},
		{"no user info", "mem://", "mem://"},
		{"@ in the path", "mem://h/a:b@c", "mem://h/a:b@c"},
		{"@ in the query", "mem://h?to=a:b@c", "mem://h?to=a:b@c"},
		{"file path", "file:///tmp/x", "file:///tmp/x"},
		{"not a DSN", "u:p@h", "u:p@h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactDSN(tt.dsn); got != tt.want {
				t.Errorf("RedactDSN(%q): got %q, want %q", tt.dsn, got, tt.want)
			}
		})
	}
}
