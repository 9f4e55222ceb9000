package io.meterline.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The address policy on every refused range, odd address spellings and the operator's exceptions, without DNS. */
class WebhookAddressPolicyTest {

    private static final WebhookAddressPolicy PRODUCTION = new WebhookAddressPolicy(false, List.of(), List.of());
    private static final WebhookAddressPolicy TESTS = new WebhookAddressPolicy(true, List.of(), List.of());

    /** Answers from a fixed table; any other name is unknown, so no test depends on real DNS. */
    private static final class TableResolver implements HostResolver {

        private final Map<String, List<String>> table;
        private final List<String> asked = new ArrayList<>();

        TableResolver(Map<String, List<String>> table) {
            this.table = table;
        }

        @Override
        public List<InetAddress> resolve(String host) throws UnknownHostException {
            asked.add(host);
            List<String> addresses = table.get(host);
            if (addresses == null) {
                throw new UnknownHostException(host);
            }
            List<InetAddress> resolved = new ArrayList<>();
            for (String address : addresses) {
                resolved.add(WebhookAddressPolicy.literal(address).orElseThrow());
            }
            return resolved;
        }
    }

    private static final TableResolver DNS = new TableResolver(Map.of(
            "hooks.example.com", List.of("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"),
            "internal.example.com", List.of("10.1.2.3"),
            "mixed.example.com", List.of("93.184.216.34", "127.0.0.1"),
            "metadata.example.com", List.of("169.254.169.254"),
            "v6-loopback.example.com", List.of("::1"),
            "empty.example.com", List.of()));

    private static InetAddress address(String literal) {
        return WebhookAddressPolicy.literal(literal).orElseThrow(() -> new AssertionError(literal + " is no literal"));
    }

    @Test
    void everyNonPublicIpv4RangeIsRefusedAtItsEdges() {
        List<String> refused = List.of(
                "0.0.0.0", "0.255.255.255",                  // this network, unspecified
                "10.0.0.0", "10.255.255.255",                // private
                "100.64.0.0", "100.127.255.255",             // carrier-grade NAT
                "127.0.0.1", "127.255.255.254",              // loopback
                "169.254.169.254", "169.254.0.1",            // link-local, cloud metadata
                "172.16.0.1", "172.31.255.255",              // private
                "192.0.0.8",                                 // IETF protocol assignments
                "192.0.2.1", "198.51.100.7", "203.0.113.200", // documentation
                "192.88.99.1",                               // 6to4 relay
                "192.168.0.1", "192.168.255.255",            // private
                "198.18.0.1", "198.19.255.255",              // benchmarking
                "224.0.0.1", "239.255.255.250",              // multicast
                "240.0.0.1", "255.255.255.255");             // reserved, broadcast
        for (String literal : refused) {
            assertThat(WebhookAddressPolicy.isPublic(address(literal))).as(literal).isFalse();
        }
        List<String> allowed = List.of("1.1.1.1", "8.8.8.8", "93.184.216.34", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
                "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255",
                "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255");
        for (String literal : allowed) {
            assertThat(WebhookAddressPolicy.isPublic(address(literal))).as(literal).isTrue();
        }
    }

    @Test
    void everyNonPublicIpv6RangeAndIpv4InsideIpv6IsRefused() {
        List<String> refused = List.of(
                "::", "::1",                                  // unspecified, loopback
                "::127.0.0.1",                                // IPv4-compatible (deprecated)
                "fe80::1", "febf:ffff::1",                    // link-local fe80::/10
                "fec0::1",                                    // site-local
                "fc00::1", "fd12:3456:789a::1",               // unique local fc00::/7
                "ff02::1", "ff0e::1",                         // multicast ff00::/8
                "2001:db8::1", "2001:db8:ffff::1",            // documentation 2001:db8::/32
                "3fff::1",                                    // documentation (RFC 9637)
                "100::1",                                     // discard-only
                "2001:0:4136:e378::1",                        // Teredo
                "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", // IPv4-mapped
                "64:ff9b::7f00:1", "64:ff9b::10.0.0.1", "64:ff9b::192.168.1.1",  // NAT64 of private IPv4
                "64:ff9b:1::1",                               // local-use NAT64
                "2002:7f00:1::1", "2002:a00:1::1");           // 6to4 of loopback and private IPv4
        for (String literal : refused) {
            assertThat(WebhookAddressPolicy.isPublic(address(literal))).as(literal).isFalse();
        }
        List<String> allowed = List.of("2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1");
        for (String literal : allowed) {
            assertThat(WebhookAddressPolicy.isPublic(address(literal))).as(literal).isTrue();
        }
    }

    @Test
    void oddIpv4SpellingsAreReadAsTheAddressTheyStandForAndRefused() {
        TableResolver dns = new TableResolver(Map.of());
        Map<String, String> spellings = Map.of(
                "http://2130706433/", "127.0.0.1",
                "http://0x7f.1/", "127.0.0.1",
                "http://017700000001/", "127.0.0.1",
                "http://127.1/", "127.0.0.1",
                "http://0x7f000001/", "127.0.0.1",
                "http://0177.0.0.01/", "127.0.0.1",
                "http://0/", "0.0.0.0",
                "http://169.254.43518/", "169.254.169.254",
                "http://127.0.0.1./", "127.0.0.1",
                "http://[::ffff:7f00:1]/", "127.0.0.1");
        spellings.forEach((url, expected) -> {
            String host = WebhookAddressPolicy.host(java.net.URI.create(url)).orElseThrow();
            assertThat(WebhookAddressPolicy.literal(host)).as(url).contains(address(expected));
            assertThat(TESTS.check(url, dns)).as(url).contains(WebhookUrlRefusal.ADDRESS_NOT_ALLOWED);
        });
        // None of them is sent to DNS, where a resolver could answer something else.
        assertThat(dns.asked).isEmpty();
        for (String invalid : List.of("http://1.2.3.4.5/", "http://256.1.1.1/", "http://1.2.3.0xg/", "http://08.1.1.1/", "http://example.123/",
                "http://1.2.3.-4/", "http://[fe80::1%25eth0]/", "http://[::1/")) {
            assertThat(TESTS.check(invalid, dns)).as(invalid).contains(WebhookUrlRefusal.INVALID);
        }
        assertThat(dns.asked).isEmpty();
    }

    @Test
    void hostileUrlsAreRefusedWithTheirReason() {
        Map<String, WebhookUrlRefusal> cases = Map.ofEntries(
                Map.entry("http://127.0.0.1:3306/", WebhookUrlRefusal.ADDRESS_NOT_ALLOWED),
                Map.entry("http://169.254.169.254/latest/meta-data/", WebhookUrlRefusal.ADDRESS_NOT_ALLOWED),
                Map.entry("https://10.0.0.5/hook", WebhookUrlRefusal.ADDRESS_NOT_ALLOWED),
                Map.entry("https://[::1]:8080/", WebhookUrlRefusal.ADDRESS_NOT_ALLOWED),
                Map.entry("https://[::ffff:127.0.0.1]/", WebhookUrlRefusal.ADDRESS_NOT_ALLOWED),
                Map.entry("https://internal.example.com/hook", WebhookUrlRefusal.ADDRESS_NOT_ALLOWED),
                Map.entry("https://metadata.example.com/", WebhookUrlRefusal.ADDRESS_NOT_ALLOWED),
                Map.entry("https://v6-loopback.example.com/", WebhookUrlRefusal.ADDRESS_NOT_ALLOWED),
                // One refused address among public ones refuses the name: a client may connect to any of them.
                Map.entry("https://mixed.example.com/", WebhookUrlRefusal.ADDRESS_NOT_ALLOWED),
                Map.entry("https://nowhere.example.com/", WebhookUrlRefusal.HOST_NOT_FOUND),
                Map.entry("https://empty.example.com/", WebhookUrlRefusal.HOST_NOT_FOUND),
                Map.entry("https://user:secret@hooks.example.com/", WebhookUrlRefusal.INVALID),
                Map.entry("https://hooks.example.com@127.0.0.1/", WebhookUrlRefusal.INVALID),
                Map.entry("ftp://hooks.example.com/", WebhookUrlRefusal.INVALID),
                Map.entry("file:///etc/passwd", WebhookUrlRefusal.INVALID),
                Map.entry("http:hooks.example.com", WebhookUrlRefusal.INVALID),
                Map.entry("https://exa_mple.com/", WebhookUrlRefusal.INVALID));
        cases.forEach((url, refusal) -> assertThat(TESTS.check(url, DNS)).as(url).contains(refusal));
        assertThat(TESTS.check("https://hooks.example.com/in", DNS)).isEmpty();
        assertThat(TESTS.check("HTTP://HOOKS.EXAMPLE.COM./in", DNS)).isEmpty();
    }

    @Test
    void plainHttpNeedsTheSettingAndHttpsNeverDoes() {
        assertThat(PRODUCTION.check("http://hooks.example.com/in", DNS)).contains(WebhookUrlRefusal.SCHEME_NOT_ALLOWED);
        assertThat(PRODUCTION.check("https://hooks.example.com/in", DNS)).isEmpty();
        assertThat(TESTS.check("http://hooks.example.com/in", DNS)).isEmpty();
    }

    @Test
    void operatorsAllowHostsAndNetworksExplicitly() {
        WebhookAddressPolicy policy = new WebhookAddressPolicy(true, List.of("Receiver.Internal"), List.of("10.1.2.0/24", "fd00:1::/64", "127.0.0.2"));
        TableResolver resolver = new TableResolver(Map.of("receiver.internal", List.of("192.168.7.7"), "internal.example.com", List.of("10.1.2.3")));
        // An allowed host is trusted whatever it resolves to, at save and at connect.
        assertThat(policy.check("http://receiver.internal:8080/in", resolver)).isEmpty();
        assertThat(policy.allows("RECEIVER.INTERNAL.", address("127.0.0.1"))).isTrue();
        // An allowed network opens exactly its addresses.
        assertThat(policy.check("https://internal.example.com/", resolver)).isEmpty();
        assertThat(policy.check("https://10.1.2.255/", resolver)).isEmpty();
        assertThat(policy.check("https://10.1.3.0/", resolver)).contains(WebhookUrlRefusal.ADDRESS_NOT_ALLOWED);
        assertThat(policy.check("https://[fd00:1::5]/", resolver)).isEmpty();
        assertThat(policy.check("https://[fd00:2::5]/", resolver)).contains(WebhookUrlRefusal.ADDRESS_NOT_ALLOWED);
        assertThat(policy.check("http://127.0.0.2:9000/", resolver)).isEmpty();
        assertThat(policy.check("http://127.0.0.1:9000/", resolver)).contains(WebhookUrlRefusal.ADDRESS_NOT_ALLOWED);
        assertThat(policy.allows("other.example", address("192.168.7.7"))).isFalse();
    }

    @Test
    void aMalformedAllowedNetworkFailsAtStartup() {
        for (String network : List.of("10.0.0.0/33", "10.0.0.0/x", "intranet", "fd00::/129")) {
            assertThatThrownBy(() -> new WebhookAddressPolicy(false, List.of(), List.of(network))).as(network).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rangesMatchOnPartialBytes() {
        AddressRange range = AddressRange.parse("100.64.0.0/10");
        assertThat(range.contains(address("100.64.0.0"))).isTrue();
        assertThat(range.contains(address("100.127.255.255"))).isTrue();
        assertThat(range.contains(address("100.128.0.0"))).isFalse();
        assertThat(range.contains(address("::ffff:100.64.0.1"))).isTrue();
        assertThat(AddressRange.parse("fe80::/10").contains(address("fe80::1"))).isTrue();
        assertThat(AddressRange.parse("fe80::/10").contains(address("fec0::1"))).isFalse();
        assertThat(AddressRange.parse("0.0.0.0/0").contains(address("::1"))).isFalse();
        assertThat(WebhookAddressPolicy.literal("hooks.example.com")).isEqualTo(Optional.empty());
    }

    @Test
    void anIpv4MappedAddressKeptAsSixteenBytesIsJudgedByItsIpv4Part() throws UnknownHostException {
        byte[] mappedLoopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 127, 0, 0, 1};
        byte[] mappedPublic = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 8, 8, 8, 8};
        assertThat(WebhookAddressPolicy.isPublic(java.net.Inet6Address.getByAddress(null, mappedLoopback, -1))).isFalse();
        assertThat(WebhookAddressPolicy.isPublic(java.net.Inet6Address.getByAddress(null, mappedPublic, -1))).isTrue();
    }
}
