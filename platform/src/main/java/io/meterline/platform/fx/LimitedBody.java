package io.meterline.platform.fx;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body up to a size, and fails (cancelling the download) past it, so a hostile or
 * broken server cannot fill the heap.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {

    /** Thrown into the body's future when the answer is larger than allowed. */
    static final class TooLargeException extends RuntimeException {
        TooLargeException() {
            super("the answer is larger than meterline.fx.max-response-bytes");
        }
    }

    private final long maxBytes;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private volatile boolean exceeded;

    LimitedBody(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            if (body.size() + (long) buffer.remaining() > maxBytes) {
                exceeded = true;
                subscription.cancel();
                result.completeExceptionally(new TooLargeException());
                return;
            }
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            body.writeBytes(bytes);
        }
    }

    /** Whether the body was cut off for its size (the client then reports its own IOException for the cancelled download). */
    boolean exceeded() {
        return exceeded;
    }

    @Override
    public void onError(Throwable error) {
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        result.complete(body.toByteArray());
    }
}
