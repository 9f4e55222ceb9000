package io.meterline.platform.webhook;

import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The only resolver the webhook HTTP client uses: it resolves the host once per connection, refuses the connection
 * when any address is not allowed, and hands the client exactly the addresses it checked, so nothing can change
 * between the check and the connect. TLS still verifies the certificate against the URL's host name.
 */
@Singleton
public class WebhookDnsResolver implements DnsResolver {

    private final WebhookAddressPolicy policy;
    private final HostResolver resolver;

    public WebhookDnsResolver(WebhookAddressPolicy policy, HostResolver resolver) {
        this.policy = policy;
        this.resolver = resolver;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        List<InetAddress> addresses;
        try {
            addresses = policy.resolve(host, resolver);
        }
        catch (IllegalArgumentException e) {
            throw new UnknownHostException("not a valid host");
        }
        for (InetAddress address : addresses) {
            if (!policy.allows(host, address)) {
                throw new AddressNotAllowedException();
            }
        }
        return addresses.toArray(InetAddress[]::new);
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        return List.of(resolve(host)).stream().map(address -> new InetSocketAddress(address, port)).toList();
    }

    /** No reverse lookups: the client only needs the name it was given. */
    @Override
    public String resolveCanonicalHostname(String host) {
        return host;
    }

    /** A host whose addresses include one that deliveries may not reach; an UnknownHostException so the client passes it on as it is. */
    static final class AddressNotAllowedException extends UnknownHostException {

        AddressNotAllowedException() {
            super("address not allowed");
        }
    }
}
