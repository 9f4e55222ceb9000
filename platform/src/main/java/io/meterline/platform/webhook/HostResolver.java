package io.meterline.platform.webhook;

import java.net.UnknownHostException;
import java.net.InetAddress;
import java.util.List;

/** Looks up a host name's addresses. A bean so tests can answer differently at save and at delivery (DNS rebinding). */
public interface HostResolver {

    /**
     * @param host a host name, never an address literal (the address policy reads those itself)
     * @return every address of the host, never empty
     * @throws UnknownHostException when DNS has no address for it
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
