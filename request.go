package accord

import "context"

// RequestInfo is what every audit entry of one API request shares: the
// request id that correlates them, and the purpose of use the caller stated.
type RequestInfo struct {
	ID      string
	Purpose Purpose
}

type requestKey struct{}

// WithRequest returns ctx carrying info.
func WithRequest(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, requestKey{}, info)
}

// RequestFrom returns the RequestInfo carried by ctx, if any.
func RequestFrom(ctx context.Context) RequestInfo {
	info, _ := ctx.Value(requestKey{}).(RequestInfo)
	return info
}
