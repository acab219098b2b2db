package io.tributary;
public final class Main { public static void main(String[] a) {} }
