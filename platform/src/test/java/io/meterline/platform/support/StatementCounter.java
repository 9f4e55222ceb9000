package io.meterline.platform.support;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Counts the SQL statements the server prepares that name a table, to prove a page costs a
 * bounded number of statements (no N+1). Only in servers of tests that set
 * {@code meterline.test.count-statements}; background jobs touch other tables, so counting by
 * table keeps their work out of the figure.
 */
@Singleton
@Requires(property = StatementCounter.ENABLE)
public class StatementCounter implements BeanCreatedEventListener<DataSource>, Ordered {

    public static final String ENABLE = "meterline.test.count-statements";

    private volatile String[] tables = new String[0];
    private final AtomicLong counted = new AtomicLong();

    /** Starts counting statements that name any of these tables; returns nothing, read {@link #count()} after. */
    public void start(String... names) {
        tables = names.clone();
        counted.set(0);
    }

    public long count() {
        return counted.get();
    }

    /** Wraps the pool itself, before Micronaut Data wraps it in its contextual data source (which must stay outermost). */
    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }

    @Override
    public DataSource onCreated(BeanCreatedEvent<DataSource> event) {
        DataSource target = event.getBean();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, arguments) -> {
                    Object result = call(method, target, arguments);
                    return result instanceof Connection connection ? counting(connection) : result;
                });
    }

    private Connection counting(Connection target) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, arguments) -> {
            if (method.getName().startsWith("prepare") && arguments != null && arguments[0] instanceof String sql) {
                String lower = sql.toLowerCase(Locale.ROOT);
                for (String table : tables) {
                    if (lower.contains(table)) {
                        counted.incrementAndGet();
                        break;
                    }
                }
            }
            return call(method, target, arguments);
        });
    }

    private static Object call(Method method, Object target, Object[] arguments) throws Throwable {
        try {
            return method.invoke(target, arguments);
        }
        catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
