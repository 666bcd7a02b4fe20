package http

import "github.com/accord-project/accord/enforce"

// SetTestPortalSender makes every server without a portal sender use ps,
// until the returned function is called.
func SetTestPortalSender(ps enforce.PortalSender) (restore func()) {
	testPortalSender = ps
	return func() { testPortalSender = nil }
}
