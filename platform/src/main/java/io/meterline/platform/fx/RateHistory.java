package io.meterline.platform.fx;

import java.util.List;

/** Where {@link FxConverter} reads a currency's rates: {@link FxStore}, or a fixed list in a unit test. */
public interface RateHistory {

    /** Every stored rate of one currency against {@link FxConverter#BASE}, oldest day first. */
    List<FxRate> history(String quoteCurrency);
}
