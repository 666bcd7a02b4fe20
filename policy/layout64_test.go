//go:build amd64 || arm64 || riscv64 || loong64 || ppc64 || ppc64le || s390x || mips64 || mips64le

package policy

import (
	"testing"
	"unsafe"
)

// TestLayout guards the sizes the hot path is laid out for on 64-bit
// platforms (this file builds only there): a provision in
// one cache line, a slot header in one more.
func TestLayout(t *testing.T) {
	for _, x := range []struct {
		name      string
		got, want uintptr
	}{
		{"provisionRule", unsafe.Sizeof(provisionRule{}), 64},
		{"clientSlot header", unsafe.Offsetof(clientSlot{}.inline), 64},
		{"pairEntry", unsafe.Sizeof(pairEntry{}), 64},
	} {
		if x.got != x.want {
			t.Errorf("%s is %d bytes, want %d", x.name, x.got, x.want)
		}
	}
}
