package io.meterline.platform.support;

import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** A server test whose emails go to a real SMTP server ({@link MailServer}), emptied before each test, with {@link Rows} to check what was stored. */
public abstract class MailServerTest extends ServerTest {

    protected MailServer mail;

    @Inject
    protected TransactionOperations<Connection> transactions;

    protected Rows rows;

    @Override
    public Map<String, String> getProperties() {
        mail = MailServer.start();
        return mail.withProperties(super.getProperties());
    }

    @BeforeAll
    void readRows() {
        rows = new Rows(transactions);
    }

    @AfterAll
    void stopMail() {
        mail.close();
    }

    @BeforeEach
    void emptyMailboxes() {
        mail.purge();
    }
}
