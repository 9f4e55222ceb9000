package io.meterline.platform.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A CIDR network such as {@code 10.0.0.0/8} or {@code fe80::/10}.
 *
 * @param network the network's first address; an IPv4 range only contains IPv4 addresses and an IPv6 range IPv6 ones
 * @param prefixLength how many leading bits an address must share with {@code network}
 */
record AddressRange(InetAddress network, int prefixLength) {

    AddressRange {
        Objects.requireNonNull(network, "network is null");
        if (prefixLength < 0 || prefixLength > network.getAddress().length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " does not fit " + network.getHostAddress());
        }
    }

    /**
     * Reads {@code address/prefix}, or a single address (a full-length prefix). Only numeric IPv4 and IPv6 forms are
     * accepted, so parsing configuration never asks DNS.
     */
    static AddressRange parse(String cidr) {
        String text = cidr.trim();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        InetAddress network = WebhookAddressPolicy.literal(address)
                .orElseThrow(() -> new IllegalArgumentException(cidr + " is not an IPv4 or IPv6 network in CIDR notation"));
        int bits = network.getAddress().length * 8;
        try {
            return new AddressRange(network, slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1)));
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException(cidr + " has no numeric prefix length", e);
        }
    }

    boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        byte[] first = network.getAddress();
        if (candidate.length != first.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[i] != first[i]) {
                return false;
            }
        }
        int remainingBits = prefixLength % 8;
        if (remainingBits == 0) {
            return true;
        }
        int mask = (0xFF << (8 - remainingBits)) & 0xFF;
        return (candidate[fullBytes] & mask) == (first[fullBytes] & mask);
    }

    /** Builds an address from bytes the caller already holds; never a lookup. */
    static InetAddress fromBytes(byte[] address) {
        try {
            return InetAddress.getByAddress(address);
        }
        catch (UnknownHostException e) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.length, e);
        }
    }
}
