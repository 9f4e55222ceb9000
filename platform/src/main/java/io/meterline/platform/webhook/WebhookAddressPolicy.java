package io.meterline.platform.webhook;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which URLs webhook endpoints may have and which addresses deliveries may connect to, so an organization admin
 * cannot use webhooks to reach the server's own network (loopback, private, link-local such as a cloud's metadata
 * service at 169.254.169.254, ...). Checked when an endpoint is saved and, through {@link WebhookDnsResolver}, on
 * every connection a delivery opens, with the addresses that connection uses, so a name that resolves to a public
 * address when saved and to a private one later (DNS rebinding) is still refused.
 */
@Singleton
public class WebhookAddressPolicy {

    /** IPv4 networks that are not the public internet (RFC 6890 and its successors). */
    private static final List<AddressRange> REFUSED_IPV4 = ranges(
            "0.0.0.0/8",          // "this network", with 0.0.0.0 (unspecified), which Linux connects to the local host
            "10.0.0.0/8",         // private
            "100.64.0.0/10",      // carrier-grade NAT
            "127.0.0.0/8",        // loopback
            "169.254.0.0/16",     // link-local, with cloud metadata services
            "172.16.0.0/12",      // private
            "192.0.0.0/24",       // IETF protocol assignments
            "192.0.2.0/24",       // documentation (TEST-NET-1)
            "192.88.99.0/24",     // 6to4 relay anycast
            "192.168.0.0/16",     // private
            "198.18.0.0/15",      // benchmarking
            "198.51.100.0/24",    // documentation (TEST-NET-2)
            "203.0.113.0/24",     // documentation (TEST-NET-3)
            "224.0.0.0/4",        // multicast
            "240.0.0.0/4");       // reserved, with the broadcast address 255.255.255.255

    /** IPv6 networks that are not the public internet; IPv4 carried inside IPv6 is checked as IPv4 (see {@link #embeddedIpv4}). */
    private static final List<AddressRange> REFUSED_IPV6 = ranges(
            "::/96",              // unspecified (::), loopback (::1) and the deprecated IPv4-compatible addresses
            "64:ff9b:1::/48",     // local-use NAT64
            "100::/64",           // discard-only
            "2001::/32",          // Teredo, whose IPv4 part is obfuscated
            "2001:db8::/32",      // documentation
            "3fff::/20",          // documentation (RFC 9637)
            "fc00::/7",           // unique local (private)
            "fec0::/10",          // site-local (deprecated private)
            "fe80::/10",          // link-local
            "ff00::/8");          // multicast

    private static final AddressRange NAT64 = AddressRange.parse("64:ff9b::/96");
    private static final AddressRange SIX_TO_FOUR = AddressRange.parse("2002::/16");

    private final boolean allowHttp;
    private final Set<String> allowedHosts;
    private final List<AddressRange> allowedNetworks;

    @Inject
    public WebhookAddressPolicy(WebhookConfiguration configuration) {
        this(configuration.allowHttp(), configuration.allowedHosts(), configuration.allowedNetworks());
    }

    /** A malformed network fails here, at startup, rather than at the first delivery. */
    public WebhookAddressPolicy(boolean allowHttp, List<String> allowedHosts, List<String> allowedNetworks) {
        this.allowHttp = allowHttp;
        this.allowedHosts = allowedHosts.stream().map(WebhookAddressPolicy::normalizedHost).collect(Collectors.toUnmodifiableSet());
        this.allowedNetworks = allowedNetworks.stream().map(AddressRange::parse).toList();
    }

    /**
     * Checks an endpoint URL as it is saved: its form, its scheme, and every address its host has now.
     *
     * @return why it is refused; empty when it may be saved
     */
    public Optional<WebhookUrlRefusal> check(String url, HostResolver resolver) {
        URI uri;
        try {
            uri = new URI(url);
        }
        catch (URISyntaxException e) {
            return Optional.of(WebhookUrlRefusal.INVALID);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.isOpaque() || uri.getRawUserInfo() != null) {
            return Optional.of(WebhookUrlRefusal.INVALID);
        }
        Optional<String> host = host(uri);
        if (host.isEmpty()) {
            return Optional.of(WebhookUrlRefusal.INVALID);
        }
        if (scheme.equals("http") && !allowHttp) {
            return Optional.of(WebhookUrlRefusal.SCHEME_NOT_ALLOWED);
        }
        if (allowedHosts.contains(host.get())) {
            return Optional.empty();
        }
        List<InetAddress> addresses;
        try {
            addresses = resolve(host.get(), resolver);
        }
        catch (UnknownHostException e) {
            return Optional.of(WebhookUrlRefusal.HOST_NOT_FOUND);
        }
        catch (IllegalArgumentException e) {
            return Optional.of(WebhookUrlRefusal.INVALID);
        }
        return addresses.stream().allMatch(address -> allows(host.get(), address)) ? Optional.empty() : Optional.of(WebhookUrlRefusal.ADDRESS_NOT_ALLOWED);
    }

    /**
     * The addresses of a URL's host: an address literal in any spelling the resolver would accept
     * ({@code 127.1}, {@code 0x7f.1}, {@code 2130706433}, {@code [::1]}), or else what DNS answers.
     *
     * @throws IllegalArgumentException when the host looks like an IPv4 address but is not a valid one
     */
    List<InetAddress> resolve(String host, HostResolver resolver) throws UnknownHostException {
        String name = normalizedHost(host);
        Optional<InetAddress> literal = literal(name);
        if (literal.isPresent()) {
            return List.of(literal.get());
        }
        if (endsInNumber(name) || name.contains(":")) {
            throw new IllegalArgumentException("not a valid IP address");
        }
        List<InetAddress> addresses = resolver.resolve(name);
        if (addresses.isEmpty()) {
            throw new UnknownHostException("no address");
        }
        return addresses;
    }

    /** Whether a connection to {@code host} may go to {@code address}. */
    boolean allows(String host, InetAddress address) {
        if (allowedHosts.contains(normalizedHost(host))) {
            return true;
        }
        for (AddressRange network : allowedNetworks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return isPublic(address);
    }

    /** Whether an address is on the public internet, judging IPv4 carried in IPv6 (mapped, NAT64, 6to4) by its IPv4 part. */
    static boolean isPublic(InetAddress address) {
        Optional<InetAddress> ipv4 = embeddedIpv4(address);
        if (ipv4.isPresent()) {
            return isPublic(ipv4.get());
        }
        List<AddressRange> refused = address.getAddress().length == 4 ? REFUSED_IPV4 : REFUSED_IPV6;
        return refused.stream().noneMatch(range -> range.contains(address));
    }

    /** The IPv4 address an IPv6 address stands for, where the IPv4 part decides where a packet goes. */
    private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != 16) {
            return Optional.empty();
        }
        if (isIpv4Mapped(bytes) || NAT64.contains(address)) {
            return Optional.of(AddressRange.fromBytes(Arrays.copyOfRange(bytes, 12, 16)));
        }
        if (SIX_TO_FOUR.contains(address)) {
            return Optional.of(AddressRange.fromBytes(Arrays.copyOfRange(bytes, 2, 6)));
        }
        return Optional.empty();
    }

    /**
     * Whether the bytes are ::ffff:a.b.c.d. Java turns such literals into IPv4 addresses, but a resolver may still hand
     * over an Inet6Address built from the 16 bytes.
     */
    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xFF && bytes[11] == (byte) 0xFF;
    }

    /** A URL's host, lower case, without IPv6 brackets or a final dot; empty when it has none. */
    static Optional<String> host(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            // java.net.URI leaves hosts such as 127.1 and 0x7f.1 unparsed, while resolvers (and so HTTP clients) read them
            // as addresses: read them too, so they are judged by the address they stand for.
            String authority = uri.getRawAuthority();
            if (authority == null) {
                return Optional.empty();
            }
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            if (!endsInNumber(normalizedHost(host))) {
                return Optional.empty();
            }
        }
        String normalized = normalizedHost(host);
        return normalized.isEmpty() ? Optional.empty() : Optional.of(normalized);
    }

    private static String normalizedHost(String host) {
        String name = host.trim().toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * An IP address written in {@code host}: IPv6 (without a zone), or IPv4 in any form inet_aton reads, as browsers'
     * URL parsers and C resolvers do: one to four parts, each decimal, octal (leading 0) or hex (0x).
     */
    static Optional<InetAddress> literal(String host) {
        String name = normalizedHost(host);
        if (name.contains(":")) {
            if (name.contains("%") || !name.matches("[0-9a-f:.]+")) {
                return Optional.empty();
            }
            try {
                // With a colon and only these characters, Java parses a literal and never asks DNS.
                return Optional.of(InetAddress.getByName(name));
            }
            catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        return ipv4(name).map(AddressRange::fromBytes);
    }

    private static Optional<byte[]> ipv4(String name) {
        if (!endsInNumber(name)) {
            return Optional.empty();
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long[] numbers = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Optional<Long> number = ipv4Number(parts[i]);
            if (number.isEmpty()) {
                return Optional.empty();
            }
            numbers[i] = number.get();
        }
        long value = 0;
        for (int i = 0; i < numbers.length - 1; i++) {
            if (numbers[i] > 255) {
                return Optional.empty();
            }
            value = value << 8 | numbers[i];
        }
        // The last part fills every byte the earlier parts left: 127.1 is 127.0.0.1, 2130706433 is 127.0.0.1.
        int lastBytes = 5 - numbers.length;
        long last = numbers[numbers.length - 1];
        if (last >= 1L << (8 * lastBytes)) {
            return Optional.empty();
        }
        value = value << (8 * lastBytes) | last;
        return Optional.of(new byte[] {(byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8), (byte) value});
    }

    private static Optional<Long> ipv4Number(String part) {
        if (part.isEmpty()) {
            return Optional.empty();
        }
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x")) {
            radix = 16;
            digits = part.substring(2);
        }
        else if (part.length() > 1 && part.startsWith("0")) {
            radix = 8;
            digits = part.substring(1);
        }
        if (digits.isEmpty()) {
            return radix == 16 ? Optional.of(0L) : Optional.empty();
        }
        // ASCII digits of the radix only: Long.parseLong would also take a sign and non-ASCII digits.
        String allowed = radix == 16 ? "[0-9a-f]{1,12}" : radix == 8 ? "[0-7]{1,12}" : "[0-9]{1,12}";
        return digits.matches(allowed) ? Optional.of(Long.parseLong(digits, radix)) : Optional.empty();
    }

    /** Whether a host's last label is a number, which makes it an IPv4 address (or an invalid host), never a DNS name. */
    private static boolean endsInNumber(String name) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        return last.matches("[0-9]+|0x[0-9a-f]*");
    }

    private static List<AddressRange> ranges(String... cidrs) {
        return Arrays.stream(cidrs).map(AddressRange::parse).toList();
    }
}
