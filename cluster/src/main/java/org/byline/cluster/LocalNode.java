package org.byline.cluster;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts one OpenSearch 2.19 node in this JVM from jars on the classpath (no distribution tarball).
 *
 * It calls Node's protected constructor that takes classpath plugins (as the test framework's MockNode does),
 * so the modules that a tarball would load from modules/ are passed as classes instead. It does not go through
 * org.opensearch.bootstrap.Bootstrap: no security manager, no jar-hell check, no bootstrap checks, no mlockall.
 *
 * Usage: java -Xms256m -Xmx256m -cp CLASSPATH org.byline.cluster.LocalNode --home DIR [options]
 * Run with --help for the options.
 */
public final class LocalNode {

    /** Modules of the distribution that this launcher loads. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,          // transport-netty4: HTTP and node-to-node transport
        CommonAnalysisPlugin.class   // analysis-common: english analyzer, stemmers, shingles, ...
    );

    /** Node subclass only to reach the protected constructor that takes classpath plugins. */
    static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: LocalNode --home DIR [--cluster-name NAME] [--node-name NAME] [--http-port N] [--transport-port N]\n"
            + "                 [--data DIR] [--logs DIR] [--seed-hosts h:p,h:p] [--initial-managers n1,n2] [-E key=value]...\n"
            + "  Without --seed-hosts and --initial-managers the node runs with discovery.type=single-node.\n"
            + "  It binds to 127.0.0.1 only, prints 'READY http://127.0.0.1:PORT' on stdout once started,\n"
            + "  logs to <logs>/<node-name>.log and stops cleanly on SIGTERM/SIGINT.");
    }

    public static void main(String[] args) throws Exception {
        final PrintStream out = System.out; // LogConfigurator redirects System.out/err into log4j
        // as the distribution's jvm.options: our shutdown hook logs while closing the node, so log4j must not stop first
        System.setProperty("log4j.shutdownHookEnabled", System.getProperty("log4j.shutdownHookEnabled", "false"));
        System.setProperty("log4j2.disable.jmx", System.getProperty("log4j2.disable.jmx", "true"));
        String home = null, data = null, logs = null, seeds = null, managers = null;
        String clusterName = "byline", nodeName = "node-1", httpPort = "9200", transportPort = "9300";
        Settings.Builder extra = Settings.builder();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) { usage(out); return; }
            if (i + 1 >= args.length) { usage(System.err); System.exit(64); }
            String v = args[++i];
            switch (a) {
                case "--home": home = v; break;
                case "--data": data = v; break;
                case "--logs": logs = v; break;
                case "--cluster-name": clusterName = v; break;
                case "--node-name": nodeName = v; break;
                case "--http-port": httpPort = v; break;
                case "--transport-port": transportPort = v; break;
                case "--seed-hosts": seeds = v; break;
                case "--initial-managers": managers = v; break;
                case "-E": {
                    int eq = v.indexOf('=');
                    if (eq <= 0) { System.err.println("bad -E " + v); System.exit(64); }
                    extra.put(v.substring(0, eq), v.substring(eq + 1));
                    break;
                }
                default: System.err.println("unknown option " + a); usage(System.err); System.exit(64);
            }
        }
        if (home == null) { usage(System.err); System.exit(64); }

        Path homePath = Paths.get(home).toAbsolutePath();
        Path configPath = homePath.resolve("config");
        Path dataPath = data == null ? homePath.resolve("data") : Paths.get(data).toAbsolutePath();
        Path logsPath = logs == null ? homePath.resolve("logs") : Paths.get(logs).toAbsolutePath();
        Files.createDirectories(configPath);
        Files.createDirectories(dataPath);
        Files.createDirectories(logsPath);
        Path log4j = configPath.resolve("log4j2.properties");
        if (Files.notExists(log4j)) {
            try (InputStream in = LocalNode.class.getResourceAsStream("/byline-log4j2.properties")) {
                Files.copy(in, log4j);
            }
        }

        Settings.Builder s = Settings.builder()
            .put("cluster.name", clusterName)
            .put("node.name", nodeName)
            .put("path.home", homePath.toString())
            .put("path.data", dataPath.toString())
            .put("path.logs", logsPath.toString())
            .put("http.port", httpPort)
            .put("transport.port", transportPort)
            .put("bootstrap.memory_lock", false);
        if (seeds == null && managers == null) {
            s.put("discovery.type", "single-node");
        } else {
            if (seeds != null) s.putList("discovery.seed_hosts", seeds.split(","));
            if (managers != null) s.putList("cluster.initial_cluster_manager_nodes", managers.split(","));
        }
        s.put(extra.build());
        // loopback only, whatever -E said (this launcher is for local nodes)
        for (String k : new String[] { "network.host", "network.bind_host", "network.publish_host", "http.host", "transport.host" }) {
            s.remove(k);
        }
        s.put("network.host", "127.0.0.1");

        long t0 = System.nanoTime();
        Environment env = InternalSettingsPreparer.prepareEnvironment(s.build(), Collections.emptyMap(), configPath, () -> "node");
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(env);

        final Node node = new ClasspathNode(env, PLUGINS);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace(out);
            } finally {
                org.apache.logging.log4j.LogManager.shutdown();
                stopped.countDown();
            }
        }, "byline-node-shutdown"));
        try {
            node.start();
        } catch (Throwable t) {
            t.printStackTrace(out);
            out.flush();
            Runtime.getRuntime().halt(1);
        }
        out.printf("READY http://127.0.0.1:%s node=%s cluster=%s started_in_ms=%d%n",
            httpPort, nodeName, clusterName, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        out.flush();
        stopped.await();
    }
}
