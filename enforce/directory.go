package enforce

import (
	"context"
	"net"
	"net/url"

	"github.com/accord-project/accord"
)

// Services searches the service directory; any staff member may.
func (s *Service) Services(ctx context.Context, c *Caller, q, lang string) ([]accord.Service, error) {
	if len(q) > 200 {
		return nil, accord.FieldErrorf("q", "q is longer than %d characters", 200)
	}
	return s.db.Services(ctx, q, lang)
}

// CreateService adds a service to the directory: partnership
// administrators, or a supervisor for their own organisation.
func (s *Service) CreateService(ctx context.Context, c *Caller, sv *accord.Service) error {
	if err := c.requireGovernance(accord.RolePartnershipAdmin, accord.RoleSupervisor); err != nil {
		return err
	}
	if sv.OrganizationID != c.Staff.OrganizationID && !c.has(accord.RolePartnershipAdmin) {
		return accord.Errorf(accord.EFORBIDDEN, "a supervisor can add services only for their own organisation")
	}
	sv.ID, sv.Status = "", "active"
	return s.db.CreateService(ctx, c.Actor(), sv)
}

// SetWebhook sets where an organisation's events are POSTed and the secret
// that signs them. The URL must be https (http only for a loopback address,
// for testing); the secret at least 16 characters.
func (s *Service) SetWebhook(ctx context.Context, c *Caller, orgID, rawURL, secret string) error {
	if err := c.require(accord.RolePartnershipAdmin, accord.RoleSupervisor); err != nil {
		return err
	}
	if orgID != c.Staff.OrganizationID {
		return accord.Errorf(accord.EFORBIDDEN, "you can set only your own organisation's webhook")
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || len(rawURL) > 2000 {
		return accord.FieldErrorf("url", "url is not an absolute URL")
	}
	host := u.Hostname()
	loopback := host == "localhost" || net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback()
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback) {
		return accord.FieldErrorf("url", "a webhook must use https")
	}
	if len(secret) < 16 || len(secret) > 200 {
		return accord.FieldErrorf("secret", "the secret must be 16 to 200 characters")
	}
	return s.db.SetWebhook(ctx, c.Actor(), orgID, rawURL, []byte(secret))
}
