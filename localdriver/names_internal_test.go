package localdriver

import (
	"strings"
	"testing"
)

func TestKeyNameIsOneSafeFileName(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		hashed    bool
	}{
		{"plain", "photo.jpg", false},
		{"nested", "2026/01/cat.jpg", false},
		{"dot", ".", false},
		{"dot-dot", "..", false},
		{"leading dot", ".env", false},
		{"trailing dot", "name.", false},
		{"percent", "%41", false},
		{"upper case", "ReadMe", false},
		{"tilde", "~", false},
		{"non-ASCII", "日本語🙂", false},
		{"longest escaped", strings.Repeat("a", maxEscapedLen), false},
		{"one past", strings.Repeat("a", maxEscapedLen+1), true},
		{"escapes past", strings.Repeat("/", maxEscapedLen/3+1), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := keyName(tc.key)
			if strings.ContainsAny(n, `/\`+"\x00") || strings.HasPrefix(n, ".") || n == "" || len(n) > maxEscapedLen+len(hashedPrefix)+64 {
				t.Errorf("keyName(%q) = %q: want one non-hidden file name of at most %d bytes", tc.key, n, maxEscapedLen)
			}
			// Names must differ even where the file system ignores case.
			if other := strings.ToLower(tc.key); other != tc.key && strings.EqualFold(n, keyName(other)) {
				t.Errorf("keyName(%q) = %q and keyName(%q) = %q differ only in case", tc.key, n, other, keyName(other))
			}
			got, ok := unescapeName(n)
			if tc.hashed {
				if ok || !strings.HasPrefix(n, hashedPrefix) {
					t.Errorf("keyName(%q) = %q: got a decodable name, want a hashed one", tc.key, n)
				}
				return
			}
			if !ok || got != tc.key {
				t.Errorf("unescapeName(keyName(%q)) = %q, %v, want the key back", tc.key, got, ok)
			}
		})
	}
}

func TestUnescapeNameRefusesForeignNames(t *testing.T) {
	for _, name := range []string{"", ".tmp-0123", "~abc", "%2f", "%4", "%zz", "A", "a.", ".a", "%61"} {
		if key, ok := unescapeName(name); ok {
			t.Errorf("unescapeName(%q) = %q, true; want false, since keyName never makes it", name, key)
		}
	}
}
