fn main() {
    vetrina::start();
}
