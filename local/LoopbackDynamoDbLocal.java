import java.lang.reflect.Field;

/**
 * Starts AWS's DynamoDB Local listening on 127.0.0.1 only.
 *
 * <p>The jar's own main listens on every interface and has no option to change that, so
 * anyone on the network could read and rewrite the embedded default's tables. This
 * launcher builds the same server from the same arguments, binds its one connector to the
 * loopback address before it starts, and never configures DynamoDB Local's telemetry, so
 * nothing is sent to the internet. Run as a single source file (Java 11+):
 * {@code java -cp DynamoDBLocal.jar LoopbackDynamoDbLocal.java -port 8000 -inMemory}.
 * Only reflection is used, so it compiles with nothing but the JDK.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
    Field serverField = proxy.getClass().getDeclaredField("server");
    serverField.setAccessible(true);
    Object jetty = serverField.get(proxy);
    Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
    if (connectors.length == 0) {
      throw new IllegalStateException("DynamoDB Local built a server without a connector; this launcher does not know this version.");
    }
    for (Object connector : connectors) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, "127.0.0.1");
    }
    proxy.getClass().getMethod("start").invoke(proxy);
    System.out.println("DynamoDB Local listening on 127.0.0.1 only, telemetry off");
    proxy.getClass().getMethod("join").invoke(proxy);
  }
}
